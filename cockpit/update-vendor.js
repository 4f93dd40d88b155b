#!/usr/bin/env node
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Refreshes cockpit/vendor/ from the npm packages pinned in
// package-lock.json (the only step that uses the network; run it by hand
// after changing package.json, and commit the result):
//
//     node update-vendor.js
//
// vendor/ then holds, unmodified except as said:
//   patternfly.min.css   @patternfly/patternfly's built CSS, with its
//                        @font-face rules removed: the page uses the Red Hat
//                        fonts Cockpit itself serves (see lxc.css), and no
//                        icon font (the page draws its icons as inline SVG)
//   xterm.js, xterm.css  @xterm/xterm's UMD build and stylesheet
//   *-LICENSE            their licences (both MIT; also in debian/copyright)
// The build (build.js) copies these; it never runs npm.
"use strict";

const fs = require("fs");
const os = require("os");
const path = require("path");
const { execFileSync } = require("child_process");

const here = __dirname;
const vendor = path.join(here, "vendor");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cockpit-lxc-npm-"));
try {
    fs.copyFileSync(path.join(here, "package.json"), path.join(tmp, "package.json"));
    fs.copyFileSync(path.join(here, "package-lock.json"), path.join(tmp, "package-lock.json"));
    execFileSync("npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
                 { cwd: tmp, stdio: ["ignore", "inherit", "inherit"] });
    const modules = path.join(tmp, "node_modules");
    const pf = path.join(modules, "@patternfly", "patternfly");
    const xterm = path.join(modules, "@xterm", "xterm");
    const pfVersion = JSON.parse(fs.readFileSync(path.join(pf, "package.json"), "utf8")).version;
    const xtermVersion = JSON.parse(fs.readFileSync(path.join(xterm, "package.json"), "utf8")).version;

    fs.rmSync(vendor, { recursive: true, force: true });
    fs.mkdirSync(vendor);
    const css = fs.readFileSync(path.join(pf, "patternfly.min.css"), "utf8")
            .replace(/@font-face\{[^}]*\}/g, "")
            .replace(/\/\*# sourceMappingURL=[^*]*\*\//, "");
    fs.writeFileSync(path.join(vendor, "patternfly.min.css"), css);
    const js = fs.readFileSync(path.join(xterm, "lib", "xterm.js"), "utf8")
            .replace(/\n\/\/# sourceMappingURL=.*$/, "\n");
    fs.writeFileSync(path.join(vendor, "xterm.js"), js);
    fs.copyFileSync(path.join(xterm, "css", "xterm.css"), path.join(vendor, "xterm.css"));
    fs.copyFileSync(path.join(xterm, "LICENSE"), path.join(vendor, "xterm-LICENSE"));
    // the PatternFly npm package has no licence file; its licence is MIT
    // (package.json), with this copyright notice (its GitHub repository)
    fs.writeFileSync(path.join(vendor, "patternfly-LICENSE"),
`MIT License

Copyright (c) 2018 Red Hat, Inc.

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
`);
    fs.writeFileSync(path.join(vendor, "VERSIONS"),
                     `@patternfly/patternfly ${pfVersion}\n@xterm/xterm ${xtermVersion}\n`);
} finally {
    fs.rmSync(tmp, { recursive: true, force: true });
}
