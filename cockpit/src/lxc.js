/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Cockpit page for LXC containers. It talks to nothing but the lxc-dbus
 * service (org.linuxcontainers.LXC1) on the system bus:
 *
 *  - as root when the user has turned on Cockpit's administrative access
 *    (superuser: "try"), otherwise as the logged-in user, so that polkit
 *    decides;
 *  - the list comes from one ObjectManager.GetManagedObjects() call and is
 *    kept current from InterfacesAdded/InterfacesRemoved and
 *    PropertiesChanged; CPU and memory come from Container.GetUsage(),
 *    polled every few seconds while the page is visible;
 *  - two views, chosen by cockpit.location (bookmarkable): the list (/)
 *    and the page of one container (/NAME, ?tab=overview|console|
 *    snapshots|configuration);
 *  - a NotAuthorized error turns the actions it covers read-only and says
 *    so in plain words; other errors are shown readably, never as a D-Bus
 *    error name.
 *
 * Plain modern JavaScript, no framework: cockpit.js comes from the Cockpit
 * base package at run time, PatternFly's CSS and xterm.js are vendored
 * (cockpit/vendor) and copied beside this file at build time.
 */
"use strict";

const BUS = "org.linuxcontainers.LXC1";
const ROOT = "/org/linuxcontainers/LXC1";
const MANAGER = ROOT + "/Manager";
const CONTAINERS = ROOT + "/containers/";
const IFACE_MANAGER = BUS + ".Manager";
const IFACE_CONTAINER = BUS + ".Container";
const IFACE_JOB = BUS + ".Job";
const ERROR = BUS + ".Error.";
const ACTION = BUS + ".";
const USAGE_INTERVAL = 3000;            /* ms between GetUsage polls */
const HISTORY = 100;                    /* samples kept: 5 minutes */
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;   /* as the service checks names */

/* As root when the user has administrative access in Cockpit (the
 * superuser bridge), else as the user: polkit decides for them. */
const client = cockpit.dbus(BUS, { bus: "system", superuser: "try" });

const model = {
    manager: null,              /* Manager properties */
    containers: new Map(),      /* path -> Container properties */
    jobs: new Map(),            /* path -> Job properties */
    jobsSeen: 0,
    denied: new Set(),          /* polkit action suffixes known to be refused */
    admin: false,               /* root, or administrative access on */
    perms: new Map(),           /* path -> {action id: "yes"|"auth"|"no"} (GetPermissions) */
    permsCall: null,            /* GetPermissions exists: null unknown, true, false */
    usage: new Map(),           /* path -> {samples: [{t, cpu, mem}], last: usage dict} */
    ips: new Map(),             /* path -> [addresses] | {denied} | error */
    search: "",
    stateFilter: "all",
    sort: { key: "name", asc: true },
    openMenu: null,             /* the kebab menu that is open (its id) */
};
window.lxcModel = model;        /* for the browser tests */

/* -- little DOM helpers ---------------------------------------------------- */

function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
        if (v === undefined || v === null || v === false)
            continue;
        if (k === "class")
            el.className = v;
        else if (k.startsWith("on"))
            el.addEventListener(k.slice(2), v);
        else if (k === "dataset")
            Object.assign(el.dataset, v);
        else
            el.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) {
        if (c === undefined || c === null || c === false)
            continue;
        el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
}

const SVG_NS = "http://www.w3.org/2000/svg";

function svg(tag, attrs, ...children) {
    const el = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs || {}))
        el.setAttribute(k, v);
    el.append(...children);
    return el;
}

/* Small icons drawn here (no icon font), on a 16x16 grid. */
const ICONS = {
    kebab: [["circle", { cx: 8, cy: 3, r: 1.6 }], ["circle", { cx: 8, cy: 8, r: 1.6 }], ["circle", { cx: 8, cy: 13, r: 1.6 }]],
    running: [["circle", { cx: 8, cy: 8, r: 7 }], ["path", { d: "M6 4.5v7l5.5-3.5z", fill: "#fff" }]],
    off: [["circle", { cx: 8, cy: 8, r: 7 }], ["rect", { x: 5, y: 5, width: 6, height: 6, fill: "#fff" }]],
    paused: [["circle", { cx: 8, cy: 8, r: 7 }], ["rect", { x: 5, y: 4.5, width: 2, height: 7, fill: "#fff" }], ["rect", { x: 9, y: 4.5, width: 2, height: 7, fill: "#fff" }]],
    busy: [["circle", { cx: 8, cy: 8, r: 7 }], ["circle", { cx: 5, cy: 8, r: 1, fill: "#fff" }], ["circle", { cx: 8, cy: 8, r: 1, fill: "#fff" }], ["circle", { cx: 11, cy: 8, r: 1, fill: "#fff" }]],
    success: [["circle", { cx: 8, cy: 8, r: 7 }], ["path", { d: "M4.5 8.2l2.3 2.3 4.7-4.8", stroke: "#fff", "stroke-width": 1.8, fill: "none" }]],
    danger: [["circle", { cx: 8, cy: 8, r: 7 }], ["rect", { x: 7.1, y: 3.8, width: 1.8, height: 5.4, fill: "#fff" }], ["circle", { cx: 8, cy: 11.4, r: 1.1, fill: "#fff" }]],
    warning: [["path", { d: "M8 1l7.5 13.5h-15z" }], ["rect", { x: 7.1, y: 5.5, width: 1.8, height: 4.5, fill: "#fff" }], ["circle", { cx: 8, cy: 12, r: 1, fill: "#fff" }]],
    info: [["circle", { cx: 8, cy: 8, r: 7 }], ["rect", { x: 7.1, y: 7, width: 1.8, height: 5, fill: "#fff" }], ["circle", { cx: 8, cy: 4.7, r: 1.1, fill: "#fff" }]],
    close: [["path", { d: "M3.5 3.5l9 9M12.5 3.5l-9 9", stroke: "currentColor", "stroke-width": 1.8, fill: "none" }]],
    search: [["circle", { cx: 6.5, cy: 6.5, r: 4.5, fill: "none", stroke: "currentColor", "stroke-width": 1.8 }], ["path", { d: "M10 10l4.5 4.5", stroke: "currentColor", "stroke-width": 2 }]],
    plus: [["path", { d: "M8 2v12M2 8h12", stroke: "currentColor", "stroke-width": 2 }]],
    cube: [["path", { d: "M8 1l6.5 3.5v7L8 15l-6.5-3.5v-7z M8 8.2l6-3.3M8 8.2L2 4.9M8 8.2V15", fill: "none", stroke: "currentColor", "stroke-width": 1.2 }]],
    sort: [["path", { d: "M4.5 6.5L8 3l3.5 3.5zM4.5 9.5L8 13l3.5-3.5z" }]],
    up: [["path", { d: "M4.5 9.5L8 6l3.5 3.5z" }]],
    down: [["path", { d: "M4.5 6.5L8 10l3.5-3.5z" }]],
};

function icon(name, cls) {
    return svg("svg", { viewBox: "0 0 16 16", class: "lxc-icon " + (cls || ""), "aria-hidden": "true" },
               ...(ICONS[name] || []).map(([tag, attrs]) => svg(tag, attrs)));
}

function button(label, cls, onclick, attrs) {
    return h("button", { type: "button", class: "pf-c-button " + (cls || "pf-m-secondary"), onclick, ...attrs }, label);
}

function $(id) {
    return document.getElementById(id);
}

/* -- D-Bus values ------------------------------------------------------------ */

function unvariant(props) {
    const out = {};
    for (const [k, v] of Object.entries(props || {}))
        out[k] = (v && typeof v === "object" && "t" in v && "v" in v) ? v.v : v;
    return out;
}

/* g_dbus_escape_object_path(): bytes other than [A-Za-z0-9] become _XX. */
function escapeObjectPath(s) {
    if (s === "")
        return "_";
    let out = "";
    for (const b of new TextEncoder().encode(s)) {
        const c = String.fromCharCode(b);
        out += /[A-Za-z0-9]/.test(c) ? c : "_" + b.toString(16).padStart(2, "0");
    }
    return out;
}

function containerPath(name) {
    return CONTAINERS + escapeObjectPath(name);
}

const noInteraction = () => ({ "auth.no_user_interaction": cockpit.variant("b", true) });

/* Native promises throughout: a handler that throws inside one of
 * cockpit's own promises would leave the chain pending. */
function native(cockpitPromise) {
    return new Promise((resolve, reject) => cockpitPromise.then(resolve, reject));
}

function call(path, iface, method, args) {
    return native(client.call(path, iface, method, args || [], { timeout: 600000 }));
}

function callContainer(path, method, args) {
    return call(path, IFACE_CONTAINER, method, args);
}

/* -- formatting ------------------------------------------------------------ */

function formatBytes(n) {
    if (n === undefined || n === null)
        return "\u2014";
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let i = 0;
    let v = Number(n);
    while (v >= 1024 && i < units.length - 1) {
        v /= 1024;
        i++;
    }
    return (i === 0 ? String(v) : v.toFixed(v < 10 ? 1 : 0)) + " " + units[i];
}

function formatDuration(secs) {
    secs = Math.max(0, Math.floor(secs));
    const d = Math.floor(secs / 86400), hr = Math.floor(secs % 86400 / 3600), m = Math.floor(secs % 3600 / 60);
    const plural = (n, w) => n + " " + w + (n === 1 ? "" : "s");
    if (d)
        return plural(d, "day") + ", " + plural(hr, "hour");
    if (hr)
        return plural(hr, "hour") + ", " + plural(m, "minute");
    if (m)
        return plural(m, "minute");
    return plural(secs, "second");
}

/* The states as Cockpit's machines page names them. */
const STATE_TEXT = {
    RUNNING: ["Running", "running"], THAWED: ["Running", "running"],
    STOPPED: ["Shut off", "off"], FROZEN: ["Paused", "paused"],
    STARTING: ["Starting", "busy"], STOPPING: ["Shutting down", "busy"],
    FREEZING: ["Pausing", "busy"], ABORTING: ["Aborting", "busy"],
};

function stateText(state) {
    return (STATE_TEXT[state] || [state ? state[0] + state.slice(1).toLowerCase() : "Unknown"])[0];
}

function stateView(state, busy) {
    const [text, kind] = STATE_TEXT[state] || [stateText(state), "busy"];
    return h("span", { class: "lxc-state lxc-state-" + kind, dataset: { state } },
             icon(kind), text, busy ? h("span", { class: "lxc-busy" }, " \u2014 " + busy + "\u2026") : null);
}

/* -- errors and authorization ------------------------------------------------ */

const ERROR_TEXT = {
    Failed: "The operation failed",
    NotFound: "No such container or snapshot",
    AlreadyExists: "That name is already taken",
    InvalidArgument: "Invalid input",
    NotAuthorized: "Not authorized",
    Busy: "Another operation is running on this container; try again when it is done",
    WrongState: "Not possible in the container's current state",
    Timeout: "The operation timed out",
    Cancelled: "Cancelled",
    NotSupported: "Not supported by this service",
};

const ACTION_TEXT = {
    lifecycle: "start, stop, freeze or reboot containers",
    manage: "create, clone, rename, snapshot or destroy containers",
    configure: "change container configuration",
    "read-config": "read container configuration and addresses",
    exec: "open a shell in containers",
    console: "attach to the console of containers",
};

function isNotAuthorized(err) {
    return err && err.name === ERROR + "NotAuthorized";
}

/* A readable sentence for a D-Bus error: never the raw error name. */
function errorText(err) {
    if (!err)
        return "Unknown error";
    const name = err.name || "";
    let base = null;
    if (name.startsWith(ERROR))
        base = ERROR_TEXT[name.slice(ERROR.length)] || null;
    else if (name === "org.freedesktop.DBus.Error.ServiceUnknown" || name === "org.freedesktop.DBus.Error.NameHasNoOwner")
        base = "The lxc-dbus service is not running";
    else if (name === "org.freedesktop.DBus.Error.NoReply" || name === "org.freedesktop.DBus.Error.Timeout")
        base = "The lxc-dbus service did not answer in time";
    else if (name.startsWith("org.freedesktop.DBus.Error."))
        base = "The call failed";
    else if (err.problem)
        return cockpit.message(err);
    const msg = (err.message || "").trim();
    if (!base)
        return msg || String(err);
    if (!msg || msg === base)
        return base;
    return base + ": " + msg;
}

function alertBox(kind, title, body, opts) {
    const box = h("div", { class: "pf-c-alert pf-m-inline pf-m-" + kind, "aria-label": kind + " alert", ...(opts && opts.attrs) },
                  h("div", { class: "pf-c-alert__icon" }, icon(kind)),
                  h("p", { class: "pf-c-alert__title" }, title),
                  body ? h("div", { class: "pf-c-alert__description" }, body) : null);
    if (!opts || opts.closable !== false) {
        box.append(h("div", { class: "pf-c-alert__action" },
                      h("button", { type: "button", class: "pf-c-button pf-m-plain", "aria-label": "Close", onclick: () => box.remove() },
                        icon("close"))));
    }
    return box;
}

/* Failures stay inline at the top of the page; successes are toasts in
 * the corner that go away by themselves, as in Cockpit. */
function showAlert(kind, title, body) {
    const box = alertBox(kind, title, body);
    if (kind === "success") {
        let toasts = $("toasts");
        if (!toasts) {
            toasts = h("ul", { class: "pf-c-alert-group pf-m-toast", id: "toasts", role: "list" });
            $("alerts").append(toasts);
        }
        const item = h("li", { class: "pf-c-alert-group__item" }, box);
        toasts.append(item);
        /* the newest two at most, so that they cover little of the page */
        while (toasts.children.length > 2)
            toasts.firstChild.remove();
        setTimeout(() => item.remove(), 8000);
    } else {
        $("alerts").insertBefore(box, $("toasts"));
    }
    return box;
}

/* Mark a polkit action as refused: everything it covers turns read-only. */
function deny(action) {
    if (model.denied.has(action))
        return;
    model.denied.add(action);
    updateReadOnlyBanner();
    render();
}

/* May the user use *action* (a suffix: "lifecycle", "manage", ...) on the
 * container at *path* (or in general)? The service's per-container answer
 * when it has one (GetPermissions), else what polkit said without details. */
function allowed(action, path) {
    if (model.admin)
        return true;
    const perms = path && model.perms.get(path);
    /* "auth" would need an authentication the page cannot offer (its
     * calls pass auth.no_user_interaction): only "yes" shows a button */
    if (perms && (ACTION + action) in perms)
        return perms[ACTION + action] === "yes" && !model.denied.has(action + "@" + path);
    return !model.denied.has(action);
}

function updateReadOnlyBanner() {
    let banner = $("readonly-banner");
    const mutating = ["lifecycle", "manage", "configure"].filter(a => model.denied.has(a));
    if (mutating.length === 0) {
        if (banner)
            banner.remove();
        return;
    }
    const what = mutating.map(a => ACTION_TEXT[a]).join("; ");
    const body = "You are not allowed to " + what + ". The page is read-only for these actions; " +
                 "turn on administrative access, or an administrator can grant them with a polkit rule.";
    const box = alertBox("warning", "Not authorized", body, { closable: false, attrs: { id: "readonly-banner" } });
    if (banner)
        banner.replaceWith(box);
    else
        $("alerts").prepend(box);
}

/* Report a failed call: a denial switches to read-only, anything else is
 * a readable message. */
function reportError(err, context, action, path) {
    if (isNotAuthorized(err)) {
        if (action) {
            if (path && model.perms.has(path))
                model.denied.add(action + "@" + path);
            else
                deny(action);
        }
        showAlert("danger", "Not authorized", context + ": you are not allowed to do this.");
    } else {
        showAlert("danger", context, errorText(err));
    }
}

/* Who are we to the service? Root (or administrative access in Cockpit:
 * the bridge then calls the service as root) may do everything. Anyone
 * else: ask polkit up front whether the user may use each action, so that
 * a page without rights opens read-only instead of failing on the first
 * click. The subject is this session's bridge process (the parent of a
 * spawned shell), which is the process that calls the service. */
const superuser = cockpit.permission({ admin: true });

function checkPermissions() {
    return native(cockpit.user()).then(user => {
        if (user.id === 0) {
            model.admin = true;
            return;
        }
        return new Promise(resolve => {
            /* the permission is known once it says so, or not at all */
            if (superuser.allowed !== null)
                return resolve();
            superuser.addEventListener("changed", function once() {
                superuser.removeEventListener("changed", once);
                resolve();
            });
            setTimeout(resolve, 3000);
        }).then(() => {
            if (superuser.allowed) {
                model.admin = true;
                return;
            }
            return native(cockpit.spawn(["/bin/sh", "-c", "echo $PPID"])).then(out => {
                const pid = parseInt(out, 10);
                const polkit = cockpit.dbus("org.freedesktop.PolicyKit1", { bus: "system" });
                const subject = ["unix-process", { pid: cockpit.variant("u", pid), "start-time": cockpit.variant("t", 0) }];
                const checks = ["lifecycle", "manage", "configure", "read-config", "exec", "console"].map(a =>
                    native(polkit.call("/org/freedesktop/PolicyKit1/Authority", "org.freedesktop.PolicyKit1.Authority",
                                       "CheckAuthorization", [subject, ACTION + a, {}, 0, ""]))
                            .then(([result]) => {
                                if (!result[0])
                                    model.denied.add(a);
                            })
                            .catch(ex => console.warn("polkit check of", a, "failed:", ex)));
                return Promise.all(checks).finally(() => polkit.close());
            });
        });
    }).catch(ex => console.warn("permission check failed:", ex));
}

/* The service's answer per container (Container.GetPermissions, when the
 * service has it): action id -> "yes", "auth" or "no". */
function hasFeature(name) {
    return ((model.manager && model.manager.Features) || []).includes(name);
}

function loadPerms(path) {
    if (model.admin || model.permsCall === false || !hasFeature("permissions"))
        return Promise.resolve();
    return callContainer(path, "GetPermissions", [noInteraction()])
            .then(([perms]) => {
                model.permsCall = true;
                model.perms.set(path, perms);
            })
            .catch(err => {
                if (err && err.name === "org.freedesktop.DBus.Error.UnknownMethod")
                    model.permsCall = false;
            });
}

function loadAllPerms() {
    if (model.admin)
        return Promise.resolve();
    const paths = [...model.containers.keys()];
    if (!paths.length)
        return Promise.resolve();
    /* one call tells whether the service has it at all */
    return loadPerms(paths[0]).then(() => model.permsCall ? Promise.all(paths.slice(1).map(loadPerms)) : null);
}

/* -- run-state actions ------------------------------------------------------ */

const RUNNING_STATES = ["RUNNING", "THAWED"];
const LIFECYCLE = [
    { id: "start", label: "Start", method: "Start", states: ["STOPPED"], args: () => [noInteraction()] },
    { id: "shutdown", label: "Shut down", method: "Shutdown", states: RUNNING_STATES, args: () => [30] },
    { id: "unfreeze", label: "Resume", method: "Unfreeze", states: ["FROZEN"] },
    { id: "reboot", label: "Reboot", method: "Reboot", states: RUNNING_STATES, args: () => [30] },
    { id: "freeze", label: "Pause", method: "Freeze", states: RUNNING_STATES },
    { id: "stop", label: "Force off", method: "Stop", states: ["RUNNING", "FROZEN", "STARTING", "STOPPING", "FREEZING", "THAWED", "ABORTING"] },
];
const PRIMARY = ["start", "shutdown", "unfreeze"];

const pending = new Map();      /* path -> label of the action in progress */

function runLifecycle(path, action) {
    const props = model.containers.get(path);
    const name = props ? props.Name : path;
    pending.set(path, action.label);
    render();
    return callContainer(path, action.method, action.args ? action.args() : [])
            .catch(err => reportError(err, action.label + " " + name, "lifecycle", path))
            .finally(() => {
                pending.delete(path);
                render();
            });
}

/* The one action a row shows as a button: the usual next step. */
function primaryAction(path, props) {
    const a = LIFECYCLE.find(a => PRIMARY.includes(a.id) && a.states.includes(props.State));
    if (!a || !allowed("lifecycle", path))
        return null;
    return button(a.label, "pf-m-secondary", () => runLifecycle(path, a), {
        dataset: { action: a.id }, disabled: pending.has(path),
    });
}

/* Everything else, in a kebab menu: the run-state actions that make sense
 * now and that the user may do, then the management ones. */
function menuItems(path, props, where) {
    const items = [];
    if (allowed("lifecycle", path)) {
        for (const a of LIFECYCLE) {
            if (a.states.includes(props.State) && !(where === "row" && PRIMARY.includes(a.id)))
                items.push({ id: a.id, label: a.label, run: () => runLifecycle(path, a), disabled: pending.has(path) });
        }
    }
    if (allowed("manage", path)) {
        if (items.length)
            items.push(null);
        items.push({ id: "clone", label: "Clone", run: () => openCloneDialog(path) });
        items.push({ id: "snapshot", label: "Take snapshot", run: () => openSnapshotDialog(path) });
        items.push({ id: "rename", label: "Rename", run: () => openRenameDialog(path), disabled: props.State !== "STOPPED" });
        items.push(null);
        items.push({ id: "delete", label: "Delete", danger: true, run: () => openDestroyDialog(path) });
    }
    return items;
}

function kebab(id, items) {
    if (!items.length)
        return null;
    const open = model.openMenu === id;
    const toggle = h("button", {
        type: "button", class: "pf-c-dropdown__toggle pf-m-plain", "aria-label": "More actions",
        "aria-expanded": open ? "true" : "false", id,
        onclick: ev => {
            ev.stopPropagation();
            model.openMenu = open ? null : id;
            render();
        },
    }, icon("kebab"));
    const menu = h("ul", { class: "pf-c-dropdown__menu pf-m-align-right", role: "menu", hidden: !open },
                   items.map(it => it === null
                       ? h("li", { class: "pf-c-divider", role: "separator" })
                       : h("li", { role: "none" },
                           h("button", {
                               type: "button", role: "menuitem", disabled: it.disabled,
                               class: "pf-c-dropdown__menu-item" + (it.danger ? " pf-m-danger lxc-menu-danger" : ""),
                               dataset: { action: it.id },
                               onclick: ev => {
                                   ev.stopPropagation();
                                   model.openMenu = null;
                                   render();
                                   it.run();
                               },
                           }, it.label))));
    return h("div", { class: "pf-c-dropdown lxc-kebab" + (open ? " pf-m-expanded" : "") }, toggle, menu);
}

document.addEventListener("click", () => {
    if (model.openMenu) {
        model.openMenu = null;
        render();
    }
});

/* -- usage: GetUsage() of the running containers, every few seconds ------ */

function pollUsage() {
    if (document.visibilityState === "hidden")
        return;
    const route = currentRoute();
    const paths = route.name
        ? [containerPath(route.name)]
        : [...model.containers.keys()].filter(p => model.containers.get(p).Running);
    for (const path of paths) {
        const props = model.containers.get(path);
        if (!props || !props.Running)
            continue;
        callContainer(path, "GetUsage", [{}])
                .then(([u]) => {
                    const usage = unvariant(u);
                    let entry = model.usage.get(path);
                    if (!entry) {
                        entry = { samples: [] };
                        model.usage.set(path, entry);
                    }
                    const now = Date.now();
                    const prev = entry.samples[entry.samples.length - 1];
                    const cpuNs = usage.cpu_usage_ns !== undefined ? Number(usage.cpu_usage_ns) : null;
                    let cpu = null;
                    if (prev && prev.cpuNs !== null && cpuNs !== null && now > prev.t)
                        cpu = Math.max(0, (cpuNs - prev.cpuNs) / ((now - prev.t) * 1e6) * 100);
                    const mem = usage.memory_current !== undefined ? Number(usage.memory_current) : null;
                    entry.samples.push({ t: now, cpuNs, cpu, mem });
                    if (entry.samples.length > HISTORY)
                        entry.samples.shift();
                    entry.last = usage;
                    entry.cpu = cpu;
                    entry.mem = mem;
                    updateUsageViews(path);
                })
                .catch(() => { /* stopped meanwhile: the next state change says so */ });
    }
}

function usageCells(path) {
    const u = model.usage.get(path);
    const props = model.containers.get(path);
    if (!props || !props.Running || !u)
        return ["\u2014", "\u2014"];
    return [u.cpu === null || u.cpu === undefined ? "\u2026" : u.cpu.toFixed(1) + " %", u.mem === null ? "\u2014" : formatBytes(u.mem)];
}

function updateUsageViews(path) {
    const row = document.querySelector(`#container-rows tr[data-path="${path}"]`);
    if (row) {
        const [cpu, mem] = usageCells(path);
        row.querySelector("td[data-label=CPU]").textContent = cpu;
        row.querySelector("td[data-label=Memory]").textContent = mem;
    }
    if (currentRoute().name && containerPath(currentRoute().name) === path)
        updateContainerUsage(path);
}

/* The addresses of a running container (needs read-config). */
function loadIPs(path) {
    const props = model.containers.get(path);
    if (!props)
        return;
    if (!props.Running) {
        model.ips.set(path, []);
        return;
    }
    if (!allowed("read-config", path)) {
        model.ips.set(path, { denied: true });
        return;
    }
    callContainer(path, "GetInterfaces", [])
            .then(([ifaces]) => Promise.all(ifaces.filter(i => i !== "lo").map(i =>
                callContainer(path, "GetIPs", [i, "", 0]).then(([a]) => a))))
            .then(lists => { model.ips.set(path, lists.flat()); render() })
            .catch(err => {
                model.ips.set(path, isNotAuthorized(err) ? { denied: true } : err);
                render();
            });
}

function ipText(path) {
    const ips = model.ips.get(path);
    if (!ips || !Array.isArray(ips) || ips.length === 0)
        return "\u2014";
    return ips.join(", ");
}

/* -- ObjectManager tracking ------------------------------------------------- */

function addInterfaces(path, ifaces, bulk) {
    if (IFACE_CONTAINER in ifaces) {
        model.containers.set(path, unvariant(ifaces[IFACE_CONTAINER]));
        if (!bulk) {
            loadPerms(path).then(render);
            loadIPs(path);
            render();
        }
    }
    if (IFACE_JOB in ifaces) {
        model.jobs.set(path, unvariant(ifaces[IFACE_JOB]));
        model.jobsSeen += 1;
        jobChanged(path);
    }
    if (IFACE_MANAGER in ifaces) {
        model.manager = unvariant(ifaces[IFACE_MANAGER]);
        if (!bulk)
            render();
    }
}

function removeInterfaces(path, ifaces) {
    if (ifaces.includes(IFACE_CONTAINER)) {
        model.containers.delete(path);
        model.usage.delete(path);
        model.ips.delete(path);
        model.perms.delete(path);
        render();
    }
    if (ifaces.includes(IFACE_JOB)) {
        model.jobs.delete(path);
        jobChanged(path);
    }
}

function propertiesChanged(path, iface, changed) {
    const values = unvariant(changed);
    if (iface === IFACE_CONTAINER && model.containers.has(path)) {
        const props = model.containers.get(path);
        const stateChanged = "State" in values && values.State !== props.State;
        Object.assign(props, values);
        if (stateChanged || "Running" in values) {
            loadIPs(path);
            if (!props.Running)
                model.usage.delete(path);
        }
        render({ propsOnly: path });
    } else if (iface === IFACE_JOB && model.jobs.has(path)) {
        Object.assign(model.jobs.get(path), values);
        jobChanged(path);
    } else if (iface === IFACE_MANAGER && model.manager) {
        Object.assign(model.manager, values);
        render();
    }
}

const jobListeners = new Set();

function jobChanged(path) {
    for (const f of jobListeners)
        f(path, model.jobs.get(path));
}

function canCreate() {
    const features = (model.manager && model.manager.Features) || [];
    return !!model.manager && features.includes("create") && allowed("manage");
}

/* -- routing: cockpit.location ---------------------------------------------- */

function currentRoute() {
    const p = cockpit.location.path;
    return { name: p.length ? p[0] : null, tab: cockpit.location.options.tab || "overview" };
}

function goList() {
    cockpit.location.go([]);
}

function goContainer(name, tab) {
    cockpit.location.go([name], tab && tab !== "overview" ? { tab } : {});
}

let renderScheduled = false;

/* Re-render the current view (on the next frame: many signals can come
 * at once). */
function render() {
    if (renderScheduled || document.body.dataset.loaded !== "true")
        return;
    renderScheduled = true;
    requestAnimationFrame(() => {
        renderScheduled = false;
        renderNow();
    });
}

let shownRoute = null;

function renderNow() {
    const route = currentRoute();
    const key = route.name === null ? "list" : "container:" + route.name + ":" + route.tab;
    const fresh = key !== shownRoute;
    if (fresh && shownRoute && shownRoute.startsWith("container:") &&
        !(route.name && shownRoute.startsWith("container:" + route.name + ":"))) {
        closeTerminal();
        detailsCache = null;
    }
    shownRoute = key;
    if (route.name === null)
        renderList(fresh);
    else
        renderContainerPage(route, fresh);
}

/* -- the list ---------------------------------------------------------------- */

const STATE_ORDER = { RUNNING: 0, THAWED: 0, STARTING: 1, STOPPING: 1, FREEZING: 1, ABORTING: 1, FROZEN: 2, STOPPED: 3 };
const FILTERS = [
    ["all", "All"], ["running", "Running"], ["off", "Shut off"], ["paused", "Paused"],
];

function stateKind(state) {
    return (STATE_TEXT[state] || [null, "busy"])[1];
}

function visiblePaths() {
    const q = model.search.trim().toLowerCase();
    const f = model.stateFilter;
    const list = [...model.containers.entries()].filter(([, p]) =>
        (!q || p.Name.toLowerCase().includes(q)) && (f === "all" || stateKind(p.State) === f));
    const { key, asc } = model.sort;
    const val = (path, p) => {
        if (key === "state")
            return STATE_ORDER[p.State] ?? 9;
        if (key === "cpu")
            return (model.usage.get(path) || {}).cpu ?? -1;
        if (key === "memory")
            return (model.usage.get(path) || {}).mem ?? -1;
        return p.Name;
    };
    list.sort(([pa, a], [pb, b]) => {
        const va = val(pa, a), vb = val(pb, b);
        let c = va < vb ? -1 : va > vb ? 1 : 0;
        if (c === 0)
            c = a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0;
        return asc ? c : -c;
    });
    return list.map(([path]) => path);
}

function sortHeader(label, key) {
    const active = model.sort.key === key;
    return h("th", { role: "columnheader", scope: "col", class: "pf-c-table__sort" + (active ? " pf-m-selected" : ""),
                     "aria-sort": active ? (model.sort.asc ? "ascending" : "descending") : "none", dataset: { sort: key } },
             h("button", {
                 type: "button", class: "pf-c-table__button",
                 onclick: () => {
                     model.sort = { key, asc: active ? !model.sort.asc : true };
                     renderList(false);
                 },
             }, h("div", { class: "pf-c-table__button-content" },
                  h("span", { class: "pf-c-table__text" }, label),
                  h("span", { class: "pf-c-table__sort-indicator" }, icon(active ? (model.sort.asc ? "up" : "down") : "sort")))));
}

function listHeader() {
    const m = model.manager;
    return h("section", { class: "pf-c-page__main-section pf-m-light" },
             h("div", { class: "lxc-header" },
               h("h1", { class: "pf-c-title pf-m-2xl" }, "LXC containers"),
               h("div", { class: "lxc-header-actions" },
                 button("Create container", "pf-m-primary", openCreateDialog, { id: "create-button", disabled: !canCreate() }))),
             h("p", { class: "lxc-subtitle", id: "service-info" },
               m ? "lxc-dbus " + m.DaemonVersion + " with liblxc " + m.Version + " \u2014 " + (m.LXCPaths || []).join(", ")
                   : "Connecting to org.linuxcontainers.LXC1\u2026"));
}

function renderRow(path) {
    const props = model.containers.get(path);
    const [cpu, mem] = usageCells(path);
    const menu = kebab("menu-" + escapeObjectPath(props.Name), menuItems(path, props, "row"));
    return h("tr", { role: "row", dataset: { name: props.Name, state: props.State, path } },
             h("td", { role: "gridcell", "data-label": "Name" },
               h("a", { href: "#/" + encodeURIComponent(props.Name), class: "lxc-name",
                        onclick: ev => { ev.preventDefault(); goContainer(props.Name) } }, props.Name)),
             h("td", { role: "gridcell", "data-label": "State" }, stateView(props.State, pending.get(path))),
             h("td", { role: "gridcell", "data-label": "IP address" }, ipText(path)),
             h("td", { role: "gridcell", "data-label": "CPU", class: "lxc-num" }, cpu),
             h("td", { role: "gridcell", "data-label": "Memory", class: "lxc-num" }, mem),
             h("td", { role: "gridcell", "data-label": "Actions", class: "lxc-actions" },
               h("div", { class: "lxc-actions-cell" }, primaryAction(path, props), menu)));
}

function renderList(fresh) {
    const header = $("page-header");
    header.textContent = "";
    header.append(listHeader());
    const body = $("page-body");
    let card = $("containers-card");
    if (fresh || !card) {
        body.textContent = "";
        const search = h("div", { class: "pf-c-text-input-group lxc-search" },
                         h("div", { class: "pf-c-text-input-group__main pf-m-icon" },
                           h("span", { class: "pf-c-text-input-group__text" },
                             h("span", { class: "pf-c-text-input-group__icon" }, icon("search")),
                             h("input", {
                                 class: "pf-c-text-input-group__text-input", id: "search", type: "search",
                                 placeholder: "Filter by name", "aria-label": "Filter by name", value: model.search,
                                 oninput: ev => { model.search = ev.target.value; renderList(false) },
                             }))));
        const filter = h("select", {
            class: "pf-c-form-control", id: "state-filter", "aria-label": "State",
            onchange: ev => { model.stateFilter = ev.target.value; renderList(false) },
        }, FILTERS.map(([v, t]) => h("option", { value: v, selected: model.stateFilter === v }, t === "All" ? "All states" : t)));
        card = h("div", { class: "pf-c-card", id: "containers-card" },
                 h("div", { class: "lxc-toolbar" }, search, filter, h("span", { class: "lxc-spacer" }),
                   h("span", { class: "lxc-count", id: "container-count" })),
                 h("table", { class: "pf-c-table pf-m-grid-md", role: "grid", id: "containers", "aria-label": "Containers" },
                   h("thead", { id: "containers-head" }),
                   h("tbody", { id: "container-rows" })),
                 h("div", { id: "empty-state", hidden: true }));
        body.append(card);
    }
    const head = $("containers-head");
    head.textContent = "";
    head.append(h("tr", { role: "row" }, sortHeader("Name", "name"), sortHeader("State", "state"),
                  h("th", { role: "columnheader", scope: "col" }, "IP address"),
                  sortHeader("CPU", "cpu"), sortHeader("Memory", "memory"),
                  h("th", { role: "columnheader", scope: "col", class: "lxc-actions" }, h("span", { class: "pf-screen-reader" }, "Actions"))));
    const paths = visiblePaths();
    const rowsEl = $("container-rows");
    const frag = document.createDocumentFragment();
    for (const path of paths)
        frag.append(renderRow(path));
    rowsEl.textContent = "";
    rowsEl.append(frag);
    const total = model.containers.size;
    $("container-count").textContent = paths.length === total ? total + " containers" : paths.length + " of " + total + " containers";
    const empty = $("empty-state");
    empty.textContent = "";
    empty.hidden = paths.length > 0;
    $("containers").hidden = paths.length === 0;
    if (paths.length === 0) {
        empty.append(total === 0
            ? h("div", { class: "pf-c-empty-state" },
                h("div", { class: "pf-c-empty-state__content" },
                  h("div", { class: "pf-c-empty-state__icon lxc-empty-icon" }, icon("cube")),
                  h("h2", { class: "pf-c-title pf-m-lg" }, "No containers"),
                  h("div", { class: "pf-c-empty-state__body" }, "There are no LXC containers in the served directories yet."),
                  canCreate() ? button("Create container", "pf-m-primary", openCreateDialog, { id: "empty-create-button" }) : null))
            : h("div", { class: "pf-c-empty-state pf-m-sm" },
                h("div", { class: "pf-c-empty-state__content" },
                  h("h2", { class: "pf-c-title pf-m-lg" }, "No matching containers"),
                  h("div", { class: "pf-c-empty-state__body" }, "No container matches the search and the state filter."),
                  h("div", { class: "pf-c-empty-state__primary" },
                    button("Clear all filters", "pf-m-link", () => {
                        model.search = "";
                        model.stateFilter = "all";
                        renderList(true);
                    }, { id: "clear-filters" })))));
    }
}

/* -- the page of one container ---------------------------------------------- */

/* What the container page has loaded: reset when another container is
 * shown. */
let detailsCache = null;
let terminal = null;

const TABS = [["overview", "Overview"], ["console", "Console"], ["snapshots", "Snapshots"], ["configuration", "Configuration"]];

function renderContainerPage(route, fresh) {
    const path = containerPath(route.name);
    const props = model.containers.get(path);
    const header = $("page-header");
    const body = $("page-body");
    header.textContent = "";
    const crumbs = h("nav", { class: "pf-c-breadcrumb lxc-breadcrumb", "aria-label": "breadcrumb" },
                     h("ol", { class: "pf-c-breadcrumb__list" },
                       h("li", { class: "pf-c-breadcrumb__item" },
                         h("a", { href: "#/", class: "pf-c-breadcrumb__link", id: "back-to-list",
                                  onclick: ev => { ev.preventDefault(); goList() } }, "LXC containers")),
                       h("li", { class: "pf-c-breadcrumb__item" },
                         h("span", { class: "pf-c-breadcrumb__item-divider" }, "\u203a"),
                         h("a", { class: "pf-c-breadcrumb__link pf-m-current", "aria-current": "page" }, route.name))));
    if (!props) {
        header.append(h("section", { class: "pf-c-page__main-section pf-m-light" }, crumbs));
        body.textContent = "";
        body.append(h("div", { class: "pf-c-empty-state", id: "container-missing" },
                      h("div", { class: "pf-c-empty-state__content" },
                        h("h2", { class: "pf-c-title pf-m-lg" }, "No container " + route.name),
                        h("div", { class: "pf-c-empty-state__body" }, "It does not exist (any more), or it was renamed."),
                        button("Back to the list", "pf-m-primary", goList))));
        return;
    }
    if (!detailsCache || detailsCache.path !== path) {
        detailsCache = { path, config: null, snapshots: null, configDraft: null };
        loadPerms(path).then(render);
        loadIPs(path);
        loadSnapshots(path);
        loadConfig(path);
        loadOSRelease(path);
        pollUsageSoon();
    }
    const primary = primaryAction(path, props);
    header.append(h("section", { class: "pf-c-page__main-section pf-m-light lxc-page-head", id: "container-header", dataset: { name: props.Name, path } },
                    crumbs,
                    h("div", { class: "lxc-header" },
                      h("div", { class: "lxc-header-title" },
                        h("h1", { class: "pf-c-title pf-m-2xl" }, props.Name),
                        h("span", { id: "container-state" }, stateView(props.State, pending.get(path)))),
                      h("div", { class: "lxc-header-actions" }, primary,
                        kebab("page-menu", menuItems(path, props, "row")))),
                    h("div", { class: "pf-c-tabs lxc-tabs", id: "container-tabs" },
                      h("ul", { class: "pf-c-tabs__list" },
                        TABS.map(([id, label]) => h("li", { class: "pf-c-tabs__item" + (route.tab === id ? " pf-m-current" : "") },
                                                    h("button", { type: "button", class: "pf-c-tabs__link", id: "tab-" + id,
                                                                  onclick: () => goContainer(props.Name, id) },
                                                      h("span", { class: "pf-c-tabs__item-text" }, label))))))));
    /* keep what the user is typing, and the running terminal */
    let content = $("container-content");
    if (fresh || !content || content.dataset.path !== path || content.dataset.tab !== route.tab) {
        body.textContent = "";
        content = h("div", { id: "container-content", class: "lxc-container", dataset: { name: props.Name, path, tab: route.tab } });
        body.append(content);
    } else if (route.tab === "console" || route.tab === "configuration") {
        updateTabInPlace(route.tab, path, props);
        return;
    }
    content.textContent = "";
    if (route.tab === "overview")
        content.append(renderOverview(path, props));
    else if (route.tab === "console")
        content.append(renderConsole(path, props));
    else if (route.tab === "snapshots")
        content.append(renderSnapshotsCard(path, props));
    else if (route.tab === "configuration")
        content.append(renderConfigCard(path, props));
}

/* A change of state while the console or configuration tab is shown:
 * update only what depends on it. */
function updateTabInPlace(tab, path, props) {
    if (tab === "console") {
        const bar = $("console-bar");
        if (bar)
            bar.replaceWith(consoleBar(path, props));
    }
}

function wide(el) {
    el.classList.add("lxc-card-wide");
    return el;
}

function card(title, id, ...content) {
    return h("div", { class: "pf-c-card", id },
             title ? h("div", { class: "pf-c-card__title" }, h("h2", { class: "pf-c-title pf-m-lg" }, title)) : null,
             h("div", { class: "pf-c-card__body" }, content));
}

function dl(items) {
    return h("dl", { class: "pf-c-description-list pf-m-horizontal pf-m-compact" },
             items.filter(Boolean).map(([k, v, id]) => h("div", { class: "pf-c-description-list__group" },
                                                        h("dt", { class: "pf-c-description-list__term" }, h("span", { class: "pf-c-description-list__text" }, k)),
                                                        h("dd", { class: "pf-c-description-list__description" }, h("div", { class: "pf-c-description-list__text", id }, v)))));
}

function renderIPs(path) {
    const ips = model.ips.get(path);
    if (ips === undefined)
        return "\u2026";
    if (!Array.isArray(ips))
        return ips.denied ? "Not authorized to read the addresses" : errorText(ips);
    if (ips.length === 0)
        return "none";
    return h("ul", { class: "lxc-ips", id: "container-ips" }, ips.map(a => h("li", null, a)));
}

function uptimeText(path, props) {
    const u = model.usage.get(path);
    if (!props.Running)
        return "\u2014";
    if (!u || !u.last || u.last.started_usec === undefined)
        return "\u2026";
    return formatDuration(Date.now() / 1000 - Number(u.last.started_usec) / 1e6);
}

function loadOSRelease(path) {
    if (!hasFeature("os-release") || !allowed("read-config", path))
        return;
    callContainer(path, "GetOSRelease", [])
            .then(([os]) => { if (detailsCache && detailsCache.path === path) { detailsCache.os = os; render() } })
            .catch(() => { if (detailsCache && detailsCache.path === path) { detailsCache.os = {}; render() } });
}

function renderOverview(path, props) {
    const u = model.usage.get(path);
    const overview = card("Overview", "overview-card", dl([
        ["State", stateText(props.State), "overview-state"],
        ["Uptime", uptimeText(path, props), "overview-uptime"],
        hasFeature("os-release") ? ["Operating system", detailsCache.os ? (detailsCache.os.PRETTY_NAME || detailsCache.os.NAME || "unknown") : "\u2026", "overview-os"] : null,
        ["IP addresses", renderIPs(path)],
        ["Processes", u && u.last && u.last.processes !== undefined ? String(u.last.processes) : "\u2014", "overview-processes"],
        ["Privileged", props.Privileged ? "yes" : "no (user namespace)"],
        ["Autostart", props.Autostart ? "yes" : "no", "overview-autostart"],
        ["Directory", props.LXCPath],
        ["Configuration file", props.ConfigFile],
    ]));
    const usage = card("Usage", "usage-card",
                       h("div", { class: "lxc-graph-title" }, h("strong", null, "CPU"), h("span", { id: "usage-cpu", class: "lxc-num" })),
                       h("div", { id: "graph-cpu" }),
                       h("div", { class: "lxc-graph-axis lxc-muted" }, h("span", null, "5 minutes ago"), h("span", null, "now")),
                       h("div", { class: "lxc-graph-title" }, h("strong", null, "Memory"), h("span", { id: "usage-memory", class: "lxc-num" })),
                       h("div", { id: "graph-memory" }),
                       h("div", { class: "lxc-graph-axis lxc-muted" }, h("span", null, "5 minutes ago"), h("span", null, "now")),
                       h("p", { class: "lxc-muted" }, "Sampled every 3 seconds while this page is open."));
    const danger = allowed("manage", path) ? card("Danger zone", "danger-zone",
        h("div", { class: "lxc-danger-row" },
          h("div", null, h("strong", null, "Rename"), h("div", { class: "lxc-muted" }, props.State === "STOPPED" ? "Give the container another name." : "Shut the container off to rename it.")),
          button("Rename", "pf-m-secondary", () => openRenameDialog(path), { id: "rename-button", disabled: props.State !== "STOPPED" })),
        h("div", { class: "lxc-danger-row" },
          h("div", null, h("strong", null, "Delete"), h("div", { class: "lxc-muted" }, "Destroy the container and its root file system. This cannot be undone.")),
          button("Delete", "pf-m-danger", () => openDestroyDialog(path), { id: "destroy-button" }))) : null;
    if (danger)
        danger.classList.add("lxc-danger", "lxc-card-wide");
    const grid = h("div", { class: "lxc-cards" }, overview, usage, danger);
    setTimeout(() => updateContainerUsage(path), 0);
    return grid;
}

/* A line graph of *values* (null: no sample) over HISTORY slots. */
function graph(values, max, cls) {
    const W = 400, H = 100;
    const n = HISTORY;
    const pts = [];
    const offset = n - values.length;
    values.forEach((v, i) => {
        if (v !== null && v !== undefined)
            pts.push([(offset + i) / (n - 1) * W, H - Math.min(1, v / max) * H]);
    });
    const el = svg("svg", { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: "none", class: "lxc-graph " + cls, role: "img" },
                   ...[0.25, 0.5, 0.75].map(f => svg("line", { x1: 0, x2: W, y1: H * f, y2: H * f, class: "lxc-graph-grid" })));
    if (pts.length >= 2) {
        const line = pts.map(([x, y], i) => (i ? "L" : "M") + x.toFixed(1) + " " + y.toFixed(1)).join(" ");
        el.append(svg("path", { d: line + ` L${pts[pts.length - 1][0].toFixed(1)} ${H} L${pts[0][0].toFixed(1)} ${H} Z`, class: "lxc-graph-area " + cls }),
                  svg("path", { d: line, class: "lxc-graph-line " + cls, "vector-effect": "non-scaling-stroke" }));
    }
    el.dataset.points = String(pts.length);
    return el;
}

function updateContainerUsage(path) {
    const props = model.containers.get(path);
    if (!props || !$("usage-card"))
        return;
    const u = model.usage.get(path);
    const samples = (u && u.samples) || [];
    const cpus = samples.map(s => s.cpu);
    const mems = samples.map(s => s.mem);
    const cpuMax = Math.max(100, ...cpus.filter(v => v !== null));
    const memLimit = u && u.last && u.last.memory_limit !== undefined ? Number(u.last.memory_limit) : null;
    const memMax = memLimit || Math.max(8 * 1024 * 1024, ...mems.filter(v => v !== null)) * 1.25;
    $("graph-cpu").replaceChildren(graph(cpus, cpuMax, "lxc-graph-cpu"));
    $("graph-memory").replaceChildren(graph(mems, memMax, "lxc-graph-mem"));
    const [cpu, mem] = usageCells(path);
    $("usage-cpu").textContent = props.Running ? cpu : "not running";
    $("usage-memory").textContent = props.Running ? mem + (memLimit ? " of " + formatBytes(memLimit) : "") : "not running";
    const up = $("overview-uptime");
    if (up)
        up.textContent = uptimeText(path, props);
    const pr = $("overview-processes");
    if (pr)
        pr.textContent = u && u.last && u.last.processes !== undefined ? String(u.last.processes) : "\u2014";
}

let pollTimer = null;

function pollUsageSoon() {
    setTimeout(pollUsage, 50);
}

/* -- console tab: Cockpit's stream channel running lxcctl on a pty -- */

function consoleBar(path, props) {
    const canExec = allowed("exec", path);
    const canConsole = allowed("console", path);
    const why = !props.Running ? "The container must be running."
        : !canExec && !canConsole ? "You are not allowed to " + ACTION_TEXT.exec + " or " + ACTION_TEXT.console + "." : "";
    return h("div", { class: "lxc-console-bar", id: "console-bar" },
             button("Console", "pf-m-secondary", () => openTerminal(path, "console"), {
                 id: "console-open", disabled: !props.Running || !canConsole,
                 title: "The container's console (tty 0): its boot messages and login; leave it with Ctrl+a q",
             }),
             button("Shell", "pf-m-secondary", () => openTerminal(path, "shell"), {
                 id: "terminal-open", disabled: !props.Running || !canExec,
             }),
             terminal ? button("Disconnect", "pf-m-link", () => { closeTerminal(); render() }, { id: "terminal-close" }) : null,
             why ? h("span", { class: "lxc-muted" }, why) : null);
}

function renderConsole(path, props) {
    const holder = terminal && terminal.path === path ? terminal.holder : h("div", { id: "terminal-holder" });
    return h("div", { class: "lxc-cards" },
             wide(card(null, "details-terminal", consoleBar(path, props), holder)),
             hasFeature("console-log") ? consoleLogCard(path, props) : null);
}

/* The console's ring buffer (GetConsoleLog): what the container wrote to
 * its console, read on request; each read hands out what is new. */
function consoleLogCard(path, props) {
    const out = h("pre", { class: "lxc-console-log", id: "console-log" }, detailsCache.consoleLog || "");
    const status = h("span", { class: "lxc-muted", id: "console-log-status" });
    const read = () => {
        status.textContent = "";
        callContainer(path, "GetConsoleLog", [noInteraction()])
                .then(([text]) => {
                    detailsCache.consoleLog = (detailsCache.consoleLog || "") + text;
                    out.textContent = detailsCache.consoleLog;
                    out.scrollTop = out.scrollHeight;
                    if (!detailsCache.consoleLog)
                        status.textContent = "Nothing was written to the console yet.";
                })
                .catch(err => {
                    status.textContent = err && err.name === ERROR + "NotSupported"
                        ? "The container keeps no console log: set lxc.console.buffer.size (e.g. to auto) in its configuration."
                        : isNotAuthorized(err) ? "You are not allowed to read the console." : errorText(err);
                });
    };
    const c = card("Console log", "console-log-card",
                   h("div", { class: "lxc-console-bar" },
                     button("Read the log", "pf-m-secondary", read, { id: "console-log-read", disabled: !props.Running || !allowed("console", path) }),
                     props.Running ? status : h("span", { class: "lxc-muted" }, "The container must be running.")),
                   out);
    c.classList.add("lxc-card-wide");
    return c;
}

function openTerminal(path, kind) {
    const props = model.containers.get(path);
    closeTerminal();
    const holder = $("terminal-holder");
    holder.textContent = "";
    const screen = h("div", { class: "lxc-terminal", id: "terminal" });
    const status = h("p", { class: "lxc-muted", id: "terminal-status" },
                     kind === "console" ? "Console of " + props.Name + " (tty 0). Leave it with Ctrl+a q." : "Shell in " + props.Name + ".");
    holder.append(status, screen);
    const rows = 24, cols = 100;
    const term = new window.Terminal({ rows, cols, fontSize: 13, convertEol: false, cursorBlink: true, scrollback: 1000 });
    const argv = kind === "console"
        ? ["lxcctl", "--no-ask-password", "console", props.Name]
        : ["lxcctl", "--no-ask-password", "shell", props.Name];
    const channel = cockpit.channel({
        payload: "stream",
        spawn: argv,
        pty: true,
        superuser: "try",
        environ: ["TERM=xterm-256color"],
        window: { rows, cols },
    });
    channel.addEventListener("message", (ev, data) => term.write(data));
    channel.addEventListener("close", (ev, options) => {
        status.textContent = options.problem ? "Disconnected: " + cockpit.message(options)
            : (kind === "console" ? "Console closed." : "Shell ended.");
    });
    term.onData(data => channel.send(data));
    terminal = { path, kind, holder, term, channel };
    term.open(screen);
    const bar = $("console-bar");
    if (bar)
        bar.replaceWith(consoleBar(path, props));
    holder.scrollIntoView({ block: "nearest" });
    term.focus();
}

/* The terminal's text, whether drawn or not (for the browser tests). */
window.lxcTerminalText = function () {
    if (!terminal)
        return null;
    const buf = terminal.term.buffer.active;
    const lines = [];
    for (let i = 0; i < buf.length; i++)
        lines.push(buf.getLine(i).translateToString(true));
    return lines.join("\n");
};

function closeTerminal() {
    if (!terminal)
        return;
    const t = terminal;
    terminal = null;
    t.channel.close();
    t.term.dispose();
    t.holder.textContent = "";
}

/* -- snapshots tab -- */

function loadSnapshots(path) {
    callContainer(path, "ListSnapshots", [])
            .then(([list]) => { if (detailsCache && detailsCache.path === path) { detailsCache.snapshots = list; render() } })
            .catch(err => {
                if (!detailsCache || detailsCache.path !== path)
                    return;
                detailsCache.snapshots = isNotAuthorized(err) ? { denied: true } : err;
                render();
            });
}

function renderSnapshotsCard(path, props) {
    const list = detailsCache.snapshots;
    const manage = allowed("manage", path);
    let content;
    if (list === null)
        content = h("p", null, "Loading\u2026");
    else if (list.denied)
        content = h("p", null, "Not authorized to list snapshots.");
    else if (!Array.isArray(list))
        content = alertBox("danger", "Cannot list the snapshots", errorText(list), { closable: false });
    else if (list.length === 0)
        content = h("div", { class: "pf-c-empty-state pf-m-sm", id: "snapshot-list" },
                    h("div", { class: "pf-c-empty-state__content" },
                      h("h3", { class: "pf-c-title pf-m-md" }, "No snapshots"),
                      h("div", { class: "pf-c-empty-state__body" }, "A snapshot keeps the container's file system and configuration as they are now.")));
    else
        content = h("table", { class: "pf-c-table pf-m-compact pf-m-grid-md", id: "snapshot-list", role: "grid", "aria-label": "Snapshots" },
                    h("thead", null, h("tr", { role: "row" }, ["Name", "Comment", "Taken", ""].map(t => h("th", { role: "columnheader" }, t)))),
                    h("tbody", null, list.map(([snap, comment, ts]) =>
                        h("tr", { role: "row", dataset: { snapshot: snap } },
                          h("td", { role: "gridcell", "data-label": "Name" }, snap),
                          h("td", { role: "gridcell", "data-label": "Comment" }, comment || "\u2014"),
                          h("td", { role: "gridcell", "data-label": "Taken" }, ts),
                          h("td", { role: "gridcell", class: "lxc-actions" },
                            manage ? h("div", { class: "lxc-actions-cell" },
                                       button("Restore", "pf-m-secondary", () => openRestoreDialog(path, snap), { dataset: { action: "restore" } }),
                                       button("Delete", "pf-m-link pf-m-danger", () => openDeleteSnapshotDialog(path, snap), { dataset: { action: "delete" } })) : null)))));
    const c = card(null, "details-snapshots",
                   h("div", { class: "lxc-header" }, h("h2", { class: "pf-c-title pf-m-lg" }, "Snapshots"),
                     manage ? button("Take snapshot", "pf-m-secondary", () => openSnapshotDialog(path), { id: "snapshot-button" }) : null),
                   content);
    return c;
}

/* -- configuration tab: grouped, typed fields and one Save -- */

const SIGNALS = { 1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 6: "SIGABRT", 9: "SIGKILL", 10: "SIGUSR1", 12: "SIGUSR2", 15: "SIGTERM", 30: "SIGPWR" };
for (let i = 0; i <= 30; i++)
    SIGNALS[34 + i] = "SIGRTMIN+" + i;
const SIGNAL_CHOICES = ["SIGPWR", "SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGKILL", "SIGRTMIN+3", "SIGRTMIN+4", "SIGRTMIN+5"];

/* What the page offers, grouped. type: text, number (unit), bool, signal,
 * bytes (a memory size or no limit). */
const CONFIG_GROUPS = [
    ["General", [
        ["lxc.uts.name", "Host name", "text"],
        ["lxc.start.auto", "Start when the host boots", "bool"],
        ["lxc.start.delay", "Delay after starting", "number", "s"],
        ["lxc.start.order", "Start order", "number"],
        ["lxc.group", "Autostart groups", "text"],
    ]],
    ["Signals", [
        ["lxc.signal.halt", "Shut down with", "signal"],
        ["lxc.signal.reboot", "Reboot with", "signal"],
        ["lxc.signal.stop", "Force off with", "signal"],
    ]],
    ["Resource limits", [
        ["lxc.cgroup2.memory.max", "Memory", "bytes"],
        ["lxc.cgroup2.memory.high", "Memory (throttled above)", "bytes"],
        ["lxc.cgroup2.pids.max", "Processes", "number"],
        ["lxc.cgroup2.cpu.weight", "CPU weight (1\u201310000)", "number"],
    ]],
    ["Terminals", [
        ["lxc.tty.max", "Terminals (ttys)", "number"],
        ["lxc.pty.max", "Pseudo terminals", "number"],
    ]],
    ["Init", [
        ["lxc.init.cmd", "Command", "text"],
        ["lxc.init.cwd", "Working directory", "text"],
        ["lxc.init.uid", "User ID", "number"],
        ["lxc.init.gid", "Group ID", "number"],
        ["lxc.autodev", "Populate /dev", "bool"],
    ]],
];
const CONFIG_FIELDS = new Map(CONFIG_GROUPS.flatMap(([, fields]) => fields.map(f => [f[0], f])));

function loadConfig(path) {
    const get = key => callContainer(path, "GetConfigItem", [key]).then(([v]) => [key, v], () => [key, null]);
    callContainer(path, "GetKeys", [""])
            .then(([keys]) => {
                const plain = keys.filter(k => !["lxc.net", "lxc.cgroup", "lxc.cgroup2", "lxc.hook", "lxc.sysctl", "lxc.proc", "lxc.prlimit"].includes(k));
                const nets = [];
                const netKeys = i => callContainer(path, "GetKeys", ["lxc.net." + i])
                        .then(([sub]) => {
                            if (!sub.length || i > 15)
                                return;
                            nets.push(...sub.map(s => s.startsWith("lxc.net.") ? s : "lxc.net." + i + "." + s));
                            return netKeys(i + 1);
                        }, () => undefined);
                const wanted = [...new Set([...plain, ...CONFIG_FIELDS.keys()])];
                return netKeys(0).then(() => Promise.all([...wanted, ...nets].map(get)));
            })
            .then(pairs => Promise.all([pairs, classifyKeys(pairs.map(p => p[0]))]))
            .then(([pairs, editable]) => {
                if (!detailsCache || detailsCache.path !== path)
                    return;
                /* liblxc reports unset strings as "(null)" */
                const values = new Map(pairs.map(([k, v]) => [k, v === null || v === "(null)" ? "" : v]));
                detailsCache.config = { values, editable };
                renderConfigInPlace(path);
            })
            .catch(err => {
                if (!detailsCache || detailsCache.path !== path)
                    return;
                if (isNotAuthorized(err))
                    deny("read-config");
                detailsCache.config = isNotAuthorized(err) ? { denied: true } : { error: err };
                renderConfigInPlace(path);
            });
}

function renderConfigInPlace(path) {
    const old = $("details-config");
    const props = model.containers.get(path);
    if (old && props)
        old.replaceWith(renderConfigCard(path, props));
}

/* Which of these keys the service treats as ordinary (editable with the
 * "configure" action) rather than host-level ("configure-host"). */
function classifyKeys(keys) {
    const features = (model.manager && model.manager.Features) || [];
    if (features.includes("config-key-classes")) {
        return call(MANAGER, IFACE_MANAGER, "GetConfigKeyClasses", [keys])
                .then(([classes]) => new Set(keys.filter(k => classes[k] === "ordinary")));
    }
    /* An older service cannot tell: nothing is offered for editing. */
    return Promise.resolve(new Set());
}

const BYTE_UNITS = [["MiB", 1024 * 1024], ["GiB", 1024 * 1024 * 1024]];

function parseBytes(v) {
    const m = /^(\d+(?:\.\d+)?)\s*([KMGT]?)/i.exec(v || "");
    if (!m)
        return null;
    return Math.round(parseFloat(m[1]) * ({ "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 })[m[2].toUpperCase()]);
}

/* An input for one field: returns [element, read() -> string value]. */
function configInput(key, type, unit, value, disabled) {
    const id = "cfg-" + key.replace(/\./g, "-");
    if (type === "bool") {
        const input = h("input", { class: "pf-c-switch__input", type: "checkbox", id, "aria-label": key, disabled });
        input.checked = value === "1" || value === "true";
        const el = h("label", { class: "pf-c-switch", for: id }, input,
                     h("span", { class: "pf-c-switch__toggle" }),
                     h("span", { class: "pf-c-switch__label pf-m-on", "aria-hidden": "true" }, "On"),
                     h("span", { class: "pf-c-switch__label pf-m-off", "aria-hidden": "true" }, "Off"));
        return [el, () => input.checked ? "1" : (value === "" ? "" : "0")];
    }
    if (type === "signal") {
        /* liblxc reads an unset signal as "0": the default */
        const current = value === "0" ? "" : /^\d+$/.test(value) ? (SIGNALS[value] || value) : value;
        const choices = SIGNAL_CHOICES.includes(current) || !current ? SIGNAL_CHOICES : [current, ...SIGNAL_CHOICES];
        const sel = h("select", { class: "pf-c-form-control", id, "aria-label": key, disabled },
                      h("option", { value: "" }, "Default"),
                      choices.map(s => h("option", { value: s, selected: s === current }, s)));
        return [sel, () => sel.value === current ? value : sel.value];
    }
    if (type === "bytes") {
        const bytes = value && value !== "max" ? parseBytes(value) : null;
        const unitIdx = bytes !== null && bytes >= 1024 ** 3 && bytes % (1024 ** 3) === 0 ? 1 : 0;
        const num = h("input", { class: "pf-c-form-control", type: "number", min: "0", id, "aria-label": key, disabled,
                                 placeholder: "no limit", value: bytes === null ? "" : String(bytes / BYTE_UNITS[unitIdx][1]) });
        const sel = h("select", { class: "pf-c-form-control", "aria-label": key + " unit", disabled },
                      BYTE_UNITS.map(([u], i) => h("option", { value: String(i), selected: i === unitIdx }, u)));
        const read = () => {
            if (num.value === "")
                return value === "max" ? value : "";
            const b = Math.round(parseFloat(num.value) * BYTE_UNITS[Number(sel.value)][1]);
            return b === bytes ? value : String(b);
        };
        return [h("div", { class: "lxc-unit" }, num, sel), read];
    }
    const input = h("input", { class: "pf-c-form-control", type: type === "number" ? "number" : "text", id, "aria-label": key, value, disabled });
    const el = unit ? h("div", { class: "lxc-unit" }, input, h("span", { class: "lxc-muted" }, unit)) : input;
    return [el, () => input.value.trim()];
}

function renderConfigCard(path, props) {
    const cfg = detailsCache.config;
    if (cfg === null)
        return card("Configuration", "details-config", h("p", null, "Loading\u2026"));
    if (cfg.denied)
        return card("Configuration", "details-config", h("p", { id: "config-denied" }, "Not authorized to read the configuration."));
    if (cfg.error)
        return card("Configuration", "details-config", alertBox("danger", "Cannot read the configuration", errorText(cfg.error), { closable: false }));
    const canEdit = allowed("configure", path);
    const readers = [];
    const groups = CONFIG_GROUPS.map(([title, fields]) => {
        const rows = fields.filter(([key]) => cfg.editable.has(key) || cfg.values.get(key)).map(([key, label, type, unit]) => {
            const value = cfg.values.get(key) || "";
            const editable = cfg.editable.has(key);
            const [el, read] = configInput(key, type, unit, value, !editable || !canEdit);
            if (editable && canEdit)
                readers.push([key, value, read]);
            return [h("label", { class: "pf-c-form__label", for: "cfg-" + key.replace(/\./g, "-"), title: key, dataset: { key } },
                      h("span", { class: "pf-c-form__label-text" }, label)),
                    h("div", { dataset: { key, editable: editable ? "true" : "false" }, class: "lxc-config-field" }, el,
                      editable ? null : h("span", { class: "lxc-readonly-note" }, " host setting"))];
        });
        if (!rows.length)
            return null;
        return h("section", { class: "lxc-config-group" },
                 h("h3", { class: "pf-c-title pf-m-md" }, title),
                 h("div", { class: "lxc-config-grid" }, rows.flat()));
    });
    /* everything else the configuration holds, as it is */
    const others = [...cfg.values.entries()].filter(([k, v]) => v && !CONFIG_FIELDS.has(k)).sort();
    const status = h("span", { id: "config-status", class: "lxc-muted" });
    const save = button("Save", "pf-m-primary", () => {
        const changes = readers.map(([key, old, read]) => [key, old, read()]).filter(([, old, v]) => v !== old);
        if (!changes.length) {
            status.textContent = "No changes.";
            return;
        }
        save.disabled = true;
        status.textContent = "Saving\u2026";
        changes.reduce((p, [key, , v]) => p.then(() => (v === ""
            ? callContainer(path, "ClearConfigItem", [key]) : callContainer(path, "SetConfigItem", [key, v]))
                .then(() => cfg.values.set(key, v), err => { err.key = key; throw err })), Promise.resolve())
                .then(() => {
                    status.textContent = "";
                    showAlert("success", "Configuration of " + props.Name + " saved", changes.map(([k]) => k).join(", "));
                    renderConfigInPlace(path);
                })
                .catch(err => {
                    status.textContent = "";
                    save.disabled = false;
                    reportError(err, "Could not set " + err.key, "configure", path);
                });
    }, { id: "config-save" });
    return card("Configuration", "details-config",
                h("form", { class: "pf-c-form", id: "config-form", onsubmit: ev => ev.preventDefault() }, groups),
                readers.length ? h("div", { class: "lxc-save-bar" }, save,
                                   button("Revert", "pf-m-link", () => renderConfigInPlace(path), { id: "config-revert" }), status)
                    : h("p", { class: "lxc-muted" }, canEdit ? "" : "You are not allowed to " + ACTION_TEXT.configure + "."),
                others.length ? h("section", { class: "lxc-config-group" },
                                  h("h3", { class: "pf-c-title pf-m-md" }, "Other settings"),
                                  h("table", { class: "pf-c-table pf-m-compact", id: "config-table", role: "grid", "aria-label": "Other settings" },
                                    h("tbody", null, others.map(([key, value]) =>
                                        h("tr", { role: "row", dataset: { key, editable: cfg.editable.has(key) ? "true" : "false" } },
                                          h("td", { role: "gridcell" }, h("code", null, key)),
                                          h("td", { role: "gridcell", class: "lxc-config-value" }, value),
                                          h("td", { role: "gridcell", class: "lxc-readonly-note" },
                                            cfg.editable.has(key) ? "" : "host setting")))))) : null);
}

/* -- dialogs ------------------------------------------------------------------- */

/* A PatternFly modal. opts: title, body (nodes), primary label, danger,
 * onSubmit(dialog) -> promise (the dialog closes when it resolves; a
 * rejection is shown inside the dialog), id. */
function openDialog(opts) {
    const errorArea = h("div", { class: "lxc-dialog-error" });
    const primary = button(opts.primary || "OK", opts.danger ? "pf-m-danger" : "pf-m-primary", null, { type: "submit", id: opts.id ? opts.id + "-submit" : null });
    primary.type = "submit";
    const cancel = button("Cancel", "pf-m-link", () => dialog.close(), { id: opts.id ? opts.id + "-cancel" : null });
    const extraFooter = h("span", { class: "lxc-dialog-footer-extra" });
    const form = h("form", { class: "pf-c-form", novalidate: true }, opts.body);
    const box = h("div", { class: "pf-c-modal-box " + (opts.size || "pf-m-sm"), role: "dialog", "aria-modal": "true", "aria-label": opts.title, id: opts.id },
                  h("header", { class: "pf-c-modal-box__header" }, h("h1", { class: "pf-c-modal-box__title" }, opts.title)),
                  h("div", { class: "pf-c-modal-box__body" }, form, errorArea),
                  h("footer", { class: "pf-c-modal-box__footer" }, primary, cancel, extraFooter));
    const backdrop = h("div", { class: "pf-c-backdrop" }, h("div", { class: "pf-l-bullseye" }, box));
    const dialog = {
        box, form, primary, cancel, errorArea, extraFooter, busy: false,
        close() {
            backdrop.remove();
            if (opts.onClose)
                opts.onClose();
        },
        setError(text) {
            errorArea.textContent = "";
            if (text)
                errorArea.append(alertBox("danger", text, null, { closable: false }));
        },
        setBusy(busy) {
            dialog.busy = busy;
            primary.disabled = busy || (opts.valid && !opts.valid());
            for (const el of form.querySelectorAll("input, select, textarea"))
                el.disabled = busy;
        },
    };
    const submit = ev => {
        ev.preventDefault();
        if (dialog.busy || (opts.valid && !opts.valid()))
            return;
        dialog.setError(null);
        dialog.setBusy(true);
        Promise.resolve()
                .then(() => opts.onSubmit(dialog))
                .then(() => dialog.close())
                .catch(err => {
                    dialog.setBusy(false);
                    if (isNotAuthorized(err) && opts.action) {
                        dialog.setError("Not authorized: you are not allowed to " + ACTION_TEXT[opts.action] + ".");
                    } else {
                        dialog.setError(errorText(err));
                    }
                });
    };
    form.addEventListener("submit", submit);
    primary.addEventListener("click", submit);
    $("dialogs").append(backdrop);
    const first = form.querySelector("input, select, textarea");
    if (first)
        first.focus();
    return dialog;
}

function field(label, input, help) {
    input.classList.add("pf-c-form-control");
    const helper = h("p", { class: "pf-c-form__helper-text", id: input.id ? input.id + "-helper" : null, "aria-live": "polite" }, help || "");
    return h("div", { class: "pf-c-form__group" },
             h("div", { class: "pf-c-form__group-label" },
               h("label", { class: "pf-c-form__label", for: input.id }, h("span", { class: "pf-c-form__label-text" }, label))),
             h("div", { class: "pf-c-form__group-control" }, input, helper));
}

function checkbox(id, label) {
    const input = h("input", { class: "pf-c-check__input", type: "checkbox", id });
    return [h("div", { class: "pf-c-check" }, input, h("label", { class: "pf-c-check__label", for: id }, label)), input];
}

/* Live validation of a container name, as the service checks it. */
function validateName(input, help, taken) {
    const v = input.value.trim();
    let msg = null;
    if (v === "")
        msg = null;
    else if (!NAME_RE.test(v))
        msg = v.length > 63 ? "At most 63 characters." : "Letters, digits, \u201c_\u201d, \u201c.\u201d and \u201c-\u201d only, starting with a letter or digit.";
    else if (taken && [...model.containers.values()].some(p => p.Name === v))
        msg = "A container with this name exists.";
    input.setAttribute("aria-invalid", msg ? "true" : "false");
    const helper = $(input.id + "-helper");
    if (helper) {
        helper.textContent = msg || help || "";
        helper.classList.toggle("pf-m-error", !!msg);
    }
    return !msg && v !== "";
}

function nameInput(id, value) {
    return h("input", { type: "text", id, value: value || "", autocomplete: "off", maxlength: "63" });
}

function nameDialog(opts) {
    const input = nameInput(opts.inputId, opts.value);
    const help = opts.help;
    let dialog = null;
    const valid = () => validateName(input, help, true);
    input.addEventListener("input", () => { dialog.primary.disabled = !valid() });
    dialog = openDialog({ ...opts, valid, body: [field(opts.label || "New name", input, help), ...(opts.extra || [])],
                          onSubmit: d => opts.onSubmit(input.value.trim(), d) });
    dialog.primary.disabled = !valid();
    return dialog;
}

function parseConfigLines(text) {
    const out = {};
    for (const line of text.split("\n")) {
        if (!line.trim() || line.trim().startsWith("#"))
            continue;
        const i = line.indexOf("=");
        if (i < 0)
            throw { name: ERROR + "InvalidArgument", message: "expected KEY = VALUE, got \u201c" + line.trim() + "\u201d" };
        out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
    }
    return out;
}

function openSnapshotDialog(path) {
    const props = model.containers.get(path);
    const comment = h("textarea", { id: "snapshot-comment", rows: 2 });
    openDialog({
        id: "snapshot-dialog", title: "Take a snapshot of " + props.Name, primary: "Take snapshot", action: "manage",
        body: [field("Comment", comment, "Optional.")],
        onSubmit: () => {
            const opts = noInteraction();
            if (comment.value)
                opts.comment = cockpit.variant("s", comment.value);
            return callContainer(path, "Snapshot", [opts]).then(() => {
                showAlert("success", "Snapshot of " + props.Name + " taken", null);
                loadSnapshots(path);
            });
        },
    });
}

function openRestoreDialog(path, snap) {
    const props = model.containers.get(path);
    nameDialog({
        id: "restore-dialog", title: "Restore snapshot " + snap, primary: "Restore", action: "manage",
        inputId: "restore-name", value: props.Name + "-" + snap, label: "New container name",
        help: "The snapshot is restored as a new container.",
        onSubmit: name => callContainer(path, "RestoreSnapshot", [snap, name])
                .then(() => showAlert("success", "Snapshot " + snap + " restored as " + name, null)),
    });
}

function openDeleteSnapshotDialog(path, snap) {
    openDialog({
        id: "delete-snapshot-dialog", title: "Delete snapshot " + snap + "?", primary: "Delete", danger: true, action: "manage",
        body: [h("p", null, "The snapshot is removed for good.")],
        onSubmit: () => callContainer(path, "DestroySnapshot", [snap]).then(() => loadSnapshots(path)),
    });
}

function openCloneDialog(path) {
    const props = model.containers.get(path);
    const [snapBox, snapshot] = checkbox("clone-snapshot", "Copy-on-write snapshot clone (needs a backing store that supports it)");
    nameDialog({
        id: "clone-dialog", title: "Clone " + props.Name, primary: "Clone", action: "manage",
        inputId: "clone-name", value: props.Name + "-clone", extra: [snapBox],
        onSubmit: name => {
            const opts = noInteraction();
            if (snapshot.checked)
                opts.flags = cockpit.variant("as", ["snapshot"]);
            return callContainer(path, "Clone", [name, opts]).then(() => goContainer(name));
        },
    });
}

function openRenameDialog(path) {
    const props = model.containers.get(path);
    nameDialog({
        id: "rename-dialog", title: "Rename " + props.Name, primary: "Rename", action: "manage",
        inputId: "rename-name", value: props.Name,
        onSubmit: name => callContainer(path, "Rename", [name]).then(() => {
            if (currentRoute().name)
                goContainer(name, currentRoute().tab);
        }),
    });
}

function openDestroyDialog(path) {
    const props = model.containers.get(path);
    const [snapBox, withSnapshots] = checkbox("destroy-snapshots", "Also destroy its snapshots");
    const [forceBox, force] = checkbox("destroy-force", "Force it off first if it is running");
    force.checked = props.Running;
    openDialog({
        id: "destroy-dialog", title: "Delete " + props.Name + "?", primary: "Delete", danger: true, action: "manage",
        body: [h("p", null, "The container " + props.Name + " and its root file system are destroyed. This cannot be undone."),
            snapBox, forceBox],
        onSubmit: () => {
            const opts = noInteraction();
            opts.with_snapshots = cockpit.variant("b", withSnapshots.checked);
            opts.force = cockpit.variant("b", force.checked);
            return callContainer(path, "Destroy", [opts]).then(() => {
                showAlert("success", "Container " + props.Name + " deleted", null);
                if (currentRoute().name === props.Name)
                    goList();
            });
        },
    });
}

/* -- create, with the Job's progress ----------------------------------------- */

function openCreateDialog() {
    const m = model.manager || {};
    const templates = m.Templates || [];
    const name = nameInput("create-name", "");
    const nameHelp = "Letters, digits, \u201c_\u201d, \u201c.\u201d and \u201c-\u201d.";
    const template = h("select", { id: "create-template" },
                       templates.map(t => h("option", { value: t, selected: t === "busybox" }, t)));
    const lxcpath = h("select", { id: "create-lxcpath" }, (m.LXCPaths || []).map(p => h("option", { value: p }, p)));
    const config = h("textarea", { id: "create-config", rows: 3, placeholder: "lxc.start.auto = 1" });
    const [startBox, startAfter] = checkbox("create-start", "Start the container after creation");
    startAfter.checked = true;
    const progress = h("div", { id: "create-progress", class: "lxc-progress", hidden: true });
    let jobPath = null;
    let timer = null;
    let expected = null;
    const cancelJob = button("Cancel creation", "pf-m-danger", () => {
        if (!jobPath)
            return;
        cancelJob.disabled = true;
        call(jobPath, IFACE_JOB, "Cancel", [noInteraction()])
                .catch(err => dialog.setError("Could not cancel: " + errorText(err)));
    }, { id: "create-cancel-job", hidden: true });

    function showProgress() {
        const job = jobPath ? model.jobs.get(jobPath) : null;
        progress.hidden = false;
        progress.textContent = "";
        const started = job && job.StartTime ? Number(job.StartTime) / 1000 : Date.now();
        const secs = Math.max(0, Math.round((Date.now() - started) / 1000));
        const valid = job && job.ProgressValid;
        const pct = valid ? Math.round(job.Progress * 100) : null;
        /* CSSOM, not a style attribute: the page's CSP has no unsafe-inline */
        const indicator = h("div", { class: "pf-c-progress__indicator" });
        indicator.style.width = (valid ? pct : 100) + "%";
        progress.append(
            h("div", { class: "pf-c-progress" + (valid ? "" : " lxc-indeterminate") },
              h("div", { class: "pf-c-progress__description", id: "create-progress-text" },
                "Creating " + name.value + " from template " + template.value + "\u2026 " + secs + " s"),
              h("div", { class: "pf-c-progress__status", "aria-hidden": "true" },
                h("span", { class: "pf-c-progress__measure" }, valid ? pct + "%" : h("span", { class: "pf-c-spinner pf-m-md", role: "progressbar" },
                                                                                      h("span", { class: "pf-c-spinner__clipper" }),
                                                                                      h("span", { class: "pf-c-spinner__lead-ball" }),
                                                                                      h("span", { class: "pf-c-spinner__tail-ball" })))),
              h("div", { class: "pf-c-progress__bar", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": "100", "aria-valuenow": valid ? pct : null },
                indicator)));
        cancelJob.hidden = !(job && job.Cancelable);
        cancelJob.disabled = cancelJob.disabled && !!job;
    }

    function onJob(path, job) {
        if (!expected)
            return;
        if (job && job.Operation === "create" && (job.Objects || []).includes(expected))
            jobPath = path;
        if (path === jobPath)
            showProgress();
    }

    const valid = () => validateName(name, nameHelp, true) && templates.length > 0;
    const dialog = openDialog({
        id: "create-dialog",
        title: "Create container",
        primary: "Create",
        size: "pf-m-md",
        action: "manage",
        valid,
        body: [
            field("Name", name, nameHelp),
            field("Template", template, templates.length ? null : "The host has no LXC templates."),
            (m.LXCPaths || []).length > 1 ? field("Container directory", lxcpath) : null,
            field("Extra configuration", config, "Optional, one \u201ckey = value\u201d per line, set before the container is first saved."),
            startBox,
            progress,
        ],
        onClose() {
            jobListeners.delete(onJob);
            clearInterval(timer);
        },
        onSubmit() {
            const options = noInteraction();
            const n = name.value.trim();
            const items = parseConfigLines(config.value);
            if (Object.keys(items).length)
                options.config = cockpit.variant("a{ss}", items);
            if ((m.LXCPaths || []).length > 1)
                options.lxcpath = cockpit.variant("s", lxcpath.value);
            expected = containerPath(n);
            jobPath = null;
            cancelJob.disabled = false;
            for (const [p, j] of model.jobs)
                onJob(p, j);
            showProgress();
            timer = setInterval(showProgress, 1000);
            return call(MANAGER, IFACE_MANAGER, "CreateContainer", [n, template.value, options])
                    .then(([path]) => {
                        clearInterval(timer);
                        showAlert("success", "Container " + n + " created", null);
                        if (startAfter.checked) {
                            return callContainer(path, "Start", [noInteraction()])
                                    .catch(err => reportError(err, "Start " + n, "lifecycle", path));
                        }
                    })
                    .catch(err => {
                        clearInterval(timer);
                        progress.hidden = true;
                        cancelJob.hidden = true;
                        expected = null;
                        throw err;
                    });
        },
    });
    dialog.primary.disabled = !valid();
    name.addEventListener("input", () => { if (!dialog.busy) dialog.primary.disabled = !valid() });
    dialog.extraFooter.append(cancelJob);
    jobListeners.add(onJob);
}

/* -- go -------------------------------------------------------------------- */

function start() {
    /* Subscribe first, then fetch: no change between the two is lost. */
    client.subscribe({ path: ROOT, interface: "org.freedesktop.DBus.ObjectManager" }, (path, iface, signal, args) => {
        if (signal === "InterfacesAdded")
            addInterfaces(args[0], args[1]);
        else if (signal === "InterfacesRemoved")
            removeInterfaces(args[0], args[1]);
    });
    client.subscribe({ path_namespace: ROOT, interface: "org.freedesktop.DBus.Properties", member: "PropertiesChanged" },
                     (path, iface, signal, args) => propertiesChanged(path, args[0], args[1]));

    const t0 = performance.now();
    Promise.all([
        call(ROOT, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects", []),
        checkPermissions(),
    ]).then(([[objects]]) => {
        for (const [path, ifaces] of Object.entries(objects))
            addInterfaces(path, ifaces, true);
        document.body.dataset.loaded = "true";
        updateReadOnlyBanner();
        renderNow();
        const t1 = performance.now();
        window.lxcListRendered = { at: t1, fetchAndRender: t1 - t0, count: model.containers.size };
        /* afterwards: per-container rights, addresses, usage */
        loadAllPerms().then(() => {
            model.permsLoaded = true;
            render();
        });
        for (const [path, props] of model.containers)
            if (props.Running)
                loadIPs(path);
        pollUsage();
        pollTimer = setInterval(pollUsage, USAGE_INTERVAL);
    }).catch(err => {
        $("page-header").replaceChildren(listHeader());
        showAlert("danger", "Cannot list containers", errorText(err));
        document.body.dataset.loaded = "error";
    });

    /* administrative access switched on or off: the connection changes
     * identity, start over */
    let known = superuser.allowed;
    superuser.addEventListener("changed", () => {
        if (known !== null && known !== superuser.allowed)
            window.location.reload();
        known = superuser.allowed;
    });
}

cockpit.addEventListener("locationchanged", () => render());
document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") pollUsage() });
client.addEventListener("close", (ev, options) => {
    showAlert("danger", "Lost the connection to the system bus", cockpit.message(options));
});
start();
