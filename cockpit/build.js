#!/usr/bin/env node
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Builds the Cockpit "lxc" package into OUTDIR:
//
//     node build.js OUTDIR [NPMDIR]
//
// npm's only job is to fetch the pinned files: "npm ci" with the committed
// package-lock.json runs in NPMDIR (default: OUTDIR/../cockpit-npm, i.e.
// the build tree, never the source tree), and is skipped when NPMDIR
// already holds exactly the locked packages. Then the page's own files
// from src/ and the prebuilt files of the dependencies (PatternFly's CSS
// and fonts, xterm.js's UMD build and CSS) are copied into OUTDIR.
// Nothing is bundled or transpiled.
"use strict";

const fs = require("fs");
const path = require("path");
const { execFileSync } = require("child_process");

const here = __dirname;
const outdir = path.resolve(process.argv[2] || path.join(here, "dist", "lxc"));
const npmdir = path.resolve(process.argv[3] || path.join(path.dirname(outdir), "cockpit-npm"));

function read(p) {
    try {
        return fs.readFileSync(p, "utf8");
    } catch (e) {
        return null;
    }
}

// 1. The pinned dependencies.
fs.mkdirSync(npmdir, { recursive: true });
const lock = read(path.join(here, "package-lock.json"));
const stamp = path.join(npmdir, "node_modules", ".lxc-build-lock");
if (read(stamp) !== lock) {
    fs.copyFileSync(path.join(here, "package.json"), path.join(npmdir, "package.json"));
    fs.copyFileSync(path.join(here, "package-lock.json"), path.join(npmdir, "package-lock.json"));
    execFileSync("npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
                 { cwd: npmdir, stdio: ["ignore", "inherit", "inherit"] });
    fs.writeFileSync(stamp, lock);
}
const modules = path.join(npmdir, "node_modules");

// 2. The package.
fs.rmSync(outdir, { recursive: true, force: true });
fs.mkdirSync(outdir, { recursive: true });

function copy(from, to) {
    fs.cpSync(from, path.join(outdir, to), { recursive: true });
}

for (const f of fs.readdirSync(path.join(here, "src")))
    copy(path.join(here, "src", f), f);

const pf = path.join(modules, "@patternfly", "patternfly");
copy(path.join(pf, "patternfly.css"), "patternfly.css");
// the fonts and icon fonts patternfly.css refers to (relative ./assets/...)
for (const dir of ["fonts", "pficon", "fontawesome"])
    copy(path.join(pf, "assets", dir), path.join("assets", dir));

const xterm = path.join(modules, "@xterm", "xterm");
copy(path.join(xterm, "lib", "xterm.js"), "xterm.js");
copy(path.join(xterm, "css", "xterm.css"), "xterm.css");

// licenses of what is shipped
for (const [name, dir] of [["patternfly", pf], ["xterm", xterm]]) {
    const lic = ["LICENSE", "LICENSE.txt", "LICENSE.md"].map(f => path.join(dir, f)).find(f => fs.existsSync(f));
    if (lic)
        copy(lic, path.join("licenses", name + "-LICENSE"));
}
