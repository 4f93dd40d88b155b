#!/usr/bin/env node
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Builds the Cockpit "lxc" package into OUTDIR:
//
//     node build.js OUTDIR
//
// The page's own files from src/ and the vendored third-party files from
// vendor/ (PatternFly's CSS, xterm.js; refreshed from the pinned npm
// packages by update-vendor.js, by hand) are copied into OUTDIR. Nothing
// is fetched, bundled or transpiled: a package build works offline.
"use strict";

const fs = require("fs");
const path = require("path");

const here = __dirname;
const outdir = path.resolve(process.argv[2] || path.join(here, "dist", "lxc"));

fs.rmSync(outdir, { recursive: true, force: true });
fs.mkdirSync(outdir, { recursive: true });

for (const f of fs.readdirSync(path.join(here, "src")))
    fs.copyFileSync(path.join(here, "src", f), path.join(outdir, f));
for (const f of ["patternfly.min.css", "xterm.js", "xterm.css"])
    fs.copyFileSync(path.join(here, "vendor", f), path.join(outdir, f));
