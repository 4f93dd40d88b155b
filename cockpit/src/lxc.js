/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Cockpit page for LXC containers. It talks to nothing but the lxc-dbus
 * service (org.linuxcontainers.LXC1) on the system bus, as the logged-in
 * user, so that polkit decides what the user may do:
 *
 *  - the list comes from one ObjectManager.GetManagedObjects() call and is
 *    kept current from InterfacesAdded/InterfacesRemoved and
 *    PropertiesChanged (no polling);
 *  - a NotAuthorized error turns the actions it covers read-only and says
 *    so in plain words; other errors are shown readably.
 *
 * Plain modern JavaScript, no framework: cockpit.js comes from the Cockpit
 * base package at run time, PatternFly's CSS and xterm.js are copied from
 * pinned npm packages at build time (build.js).
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

/* No "superuser" option: the bridge calls the service as the user who is
 * logged in to Cockpit, and polkit decides for that user. */
const client = cockpit.dbus(BUS, { bus: "system" });

const model = {
    manager: null,              /* Manager properties */
    containers: new Map(),      /* path -> Container properties */
    jobs: new Map(),            /* path -> Job properties */
    jobsSeen: 0,
    denied: new Set(),          /* polkit action suffixes known to be refused */
    selected: null,             /* path of the container shown in details */
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
    const icon = { danger: "fa-exclamation-circle", warning: "fa-exclamation-triangle", info: "fa-info-circle", success: "fa-check-circle" }[kind];
    const box = h("div", { class: "pf-c-alert pf-m-inline pf-m-" + kind, "aria-label": kind + " alert", ...(opts && opts.attrs) },
                  h("div", { class: "pf-c-alert__icon" }, h("i", { class: "fas " + icon, "aria-hidden": "true" })),
                  h("p", { class: "pf-c-alert__title" }, title),
                  body ? h("div", { class: "pf-c-alert__description" }, body) : null);
    if (!opts || opts.closable !== false) {
        box.append(h("div", { class: "pf-c-alert__action" },
                      h("button", { type: "button", class: "pf-c-button pf-m-plain", "aria-label": "Close", onclick: () => box.remove() },
                        h("i", { class: "fas fa-times", "aria-hidden": "true" }))));
    }
    return box;
}

function showAlert(kind, title, body) {
    const box = alertBox(kind, title, body);
    $("alerts").append(box);
    return box;
}

/* Mark a polkit action as refused: everything it covers turns read-only. */
function deny(action) {
    if (model.denied.has(action))
        return;
    model.denied.add(action);
    updateReadOnlyBanner();
    renderAllRows();
    renderDetails();
    updateCreateButton();
}

function allowed(action) {
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
                 "an administrator can grant them with a polkit rule.";
    const box = alertBox("warning", "Not authorized", body, { closable: false, attrs: { id: "readonly-banner" } });
    if (banner)
        banner.replaceWith(box);
    else
        $("alerts").prepend(box);
}

/* Report a failed call: a denial switches to read-only, anything else is
 * a readable message. */
function reportError(err, context, action) {
    if (isNotAuthorized(err)) {
        if (action)
            deny(action);
        showAlert("danger", "Not authorized", context + ": you are not allowed to do this.");
    } else {
        showAlert("danger", context, errorText(err));
    }
}

/* Ask polkit up front whether the logged-in user may use each action, so
 * that a page without rights opens read-only instead of failing on the
 * first click. Root is never asked by the service. The subject is this
 * session's bridge process (the parent of a spawned shell), which is the
 * process that calls the service. Checks without details: a rule that
 * grants only some containers is still honoured when a call is tried. */
function checkPermissions() {
    return native(cockpit.user()).then(user => {
        if (user.id === 0)
            return;
        return native(cockpit.spawn(["/bin/sh", "-c", "echo $PPID"])).then(out => {
            const pid = parseInt(out, 10);
            const polkit = cockpit.dbus("org.freedesktop.PolicyKit1", { bus: "system" });
            const subject = ["unix-process", { pid: cockpit.variant("u", pid), "start-time": cockpit.variant("t", 0) }];
            const checks = ["lifecycle", "manage", "configure", "read-config", "exec"].map(a =>
                native(polkit.call("/org/freedesktop/PolicyKit1/Authority", "org.freedesktop.PolicyKit1.Authority",
                                   "CheckAuthorization", [subject, ACTION + a, {}, 0, ""]))
                        .then(([result]) => {
                            if (!result[0])
                                model.denied.add(a);
                        })
                        .catch(ex => console.warn("polkit check of", a, "failed:", ex)));
            return Promise.all(checks).finally(() => polkit.close());
        });
    }).catch(ex => console.warn("permission check failed:", ex));
}

/* -- the container list ------------------------------------------------------ */

const STATE_COLOR = {
    RUNNING: "pf-m-green", STOPPED: "", FROZEN: "pf-m-blue",
    STARTING: "pf-m-orange", STOPPING: "pf-m-orange", FREEZING: "pf-m-orange",
    THAWED: "pf-m-green", ABORTING: "pf-m-red",
};

/* Which run-state actions make sense in which state. */
const LIFECYCLE = [
    { id: "start", label: "Start", method: "Start", states: ["STOPPED"], args: () => [noInteraction()] },
    { id: "stop", label: "Stop", method: "Stop", states: ["RUNNING", "FROZEN", "STARTING", "STOPPING", "FREEZING", "THAWED", "ABORTING"] },
    { id: "shutdown", label: "Shut down", method: "Shutdown", states: ["RUNNING", "THAWED"], args: () => [30] },
    { id: "reboot", label: "Reboot", method: "Reboot", states: ["RUNNING", "THAWED"], args: () => [30] },
    { id: "freeze", label: "Freeze", method: "Freeze", states: ["RUNNING", "THAWED"] },
    { id: "unfreeze", label: "Unfreeze", method: "Unfreeze", states: ["FROZEN"] },
];

const rows = new Map();         /* path -> <tr> */
const pending = new Map();      /* path -> label of the action in progress */

function sortedPaths() {
    return [...model.containers.keys()].sort((a, b) => {
        const na = model.containers.get(a).Name, nb = model.containers.get(b).Name;
        return na < nb ? -1 : na > nb ? 1 : 0;
    });
}

function runLifecycle(path, action) {
    const props = model.containers.get(path);
    const name = props ? props.Name : path;
    pending.set(path, action.label);
    renderRow(path);
    callContainer(path, action.method, action.args ? action.args() : [])
            .catch(err => reportError(err, action.label + " " + name, "lifecycle"))
            .finally(() => {
                pending.delete(path);
                renderRow(path);
            });
}

function lifecycleButtons(path, props) {
    const busy = pending.has(path);
    return LIFECYCLE.map(a => button(a.label, "pf-m-secondary pf-m-small", () => runLifecycle(path, a), {
        dataset: { action: a.id },
        disabled: busy || !allowed("lifecycle") || !a.states.includes(props.State),
    }));
}

function renderRow(path) {
    const props = model.containers.get(path);
    if (!props)
        return;
    const busy = pending.get(path);
    const stateCell = h("td", { role: "gridcell", "data-label": "State", class: "lxc-state" },
                        h("span", { class: "pf-c-label " + (STATE_COLOR[props.State] || "") },
                          h("span", { class: "pf-c-label__content", dataset: { state: props.State } }, props.State)),
                        busy ? h("span", { class: "lxc-busy" }, " " + busy + "\u2026") : null);
    const tr = h("tr", { role: "row", dataset: { name: props.Name, state: props.State }, class: model.selected === path ? "pf-m-selected" : null },
                 h("td", { role: "gridcell", "data-label": "Name" },
                   button(props.Name, "pf-m-link pf-m-inline lxc-name", () => select(path))),
                 stateCell,
                 h("td", { role: "gridcell", "data-label": "Autostart" }, props.Autostart ? "yes" : "no"),
                 h("td", { role: "gridcell", "data-label": "Init PID" }, props.InitPID > 0 ? String(props.InitPID) : "\u2014"),
                 h("td", { role: "gridcell", "data-label": "Actions", class: "lxc-actions" }, lifecycleButtons(path, props)));
    const old = rows.get(path);
    rows.set(path, tr);
    if (old) {
        old.replaceWith(tr);
    } else {
        /* keep the table sorted by name */
        const paths = sortedPaths();
        const next = paths.slice(paths.indexOf(path) + 1).find(p => rows.has(p) && rows.get(p).isConnected);
        $("container-rows").insertBefore(tr, next ? rows.get(next) : null);
    }
    $("empty-state").hidden = model.containers.size > 0;
}

function removeRow(path) {
    const tr = rows.get(path);
    if (tr)
        tr.remove();
    rows.delete(path);
    $("empty-state").hidden = model.containers.size > 0;
}

/* Rebuild the whole table at once (first load, change of permissions). */
function renderAllRows() {
    const frag = document.createDocumentFragment();
    rows.clear();
    for (const path of sortedPaths()) {
        /* renderRow() replaces this placeholder inside the fragment */
        const placeholder = document.createElement("tr");
        frag.append(placeholder);
        rows.set(path, placeholder);
        renderRow(path);
    }
    const body = $("container-rows");
    body.textContent = "";
    body.append(frag);
    $("empty-state").hidden = model.containers.size > 0;
}

/* -- ObjectManager tracking ------------------------------------------------- */

function addInterfaces(path, ifaces, bulk) {
    if (IFACE_CONTAINER in ifaces) {
        model.containers.set(path, unvariant(ifaces[IFACE_CONTAINER]));
        if (!bulk)
            renderRow(path);
    }
    if (IFACE_JOB in ifaces) {
        model.jobs.set(path, unvariant(ifaces[IFACE_JOB]));
        model.jobsSeen += 1;
        jobChanged(path);
    }
    if (IFACE_MANAGER in ifaces) {
        model.manager = unvariant(ifaces[IFACE_MANAGER]);
        managerChanged();
    }
}

function removeInterfaces(path, ifaces) {
    if (ifaces.includes(IFACE_CONTAINER)) {
        model.containers.delete(path);
        removeRow(path);
        if (model.selected === path) {
            model.selected = null;
            renderDetails();
        }
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
        renderRow(path);
        if (model.selected === path) {
            const parts = ["header", "overview"];
            if ("Running" in values)
                parts.push("terminal");
            renderDetails(parts);
            if (stateChanged)
                loadIPs(path);
        }
    } else if (iface === IFACE_JOB && model.jobs.has(path)) {
        Object.assign(model.jobs.get(path), values);
        jobChanged(path);
    } else if (iface === IFACE_MANAGER && model.manager) {
        Object.assign(model.manager, values);
        managerChanged();
    }
}

function managerChanged() {
    const m = model.manager;
    $("service-info").textContent = "lxc-dbus " + m.DaemonVersion + " with liblxc " + m.Version +
        " \u2014 " + (m.LXCPaths || []).join(", ");
    updateCreateButton();
}

function updateCreateButton() {
    const features = (model.manager && model.manager.Features) || [];
    $("create-button").disabled = !model.manager || !features.includes("create") || !allowed("manage");
}

const jobListeners = new Set();

function jobChanged(path) {
    for (const f of jobListeners)
        f(path, model.jobs.get(path));
}

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
        renderAllRows();
        updateReadOnlyBanner();
        updateCreateButton();
        const t1 = performance.now();
        window.lxcListRendered = { at: t1, fetchAndRender: t1 - t0, count: model.containers.size };
        document.body.dataset.loaded = "true";
    }).catch(err => {
        showAlert("danger", "Cannot list containers", errorText(err));
        document.body.dataset.loaded = "error";
    });
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
            primary.disabled = busy;
            for (const el of form.querySelectorAll("input, select, textarea"))
                el.disabled = busy;
        },
    };
    const submit = ev => {
        ev.preventDefault();
        if (dialog.busy)
            return;
        dialog.setError(null);
        dialog.setBusy(true);
        Promise.resolve()
                .then(() => opts.onSubmit(dialog))
                .then(() => dialog.close())
                .catch(err => {
                    dialog.setBusy(false);
                    if (isNotAuthorized(err) && opts.action) {
                        deny(opts.action);
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
    return h("div", { class: "pf-c-form__group" },
             h("div", { class: "pf-c-form__group-label" },
               h("label", { class: "pf-c-form__label", for: input.id }, h("span", { class: "pf-c-form__label-text" }, label))),
             h("div", { class: "pf-c-form__group-control" }, input,
               help ? h("p", { class: "pf-c-form__helper-text" }, help) : null));
}

function checkbox(id, label) {
    const input = h("input", { class: "pf-c-check__input", type: "checkbox", id });
    return [h("div", { class: "pf-c-check" }, input, h("label", { class: "pf-c-check__label", for: id }, label)), input];
}

function splitArgs(text) {
    return (text.match(/"[^"]*"|'[^']*'|\S+/g) || []).map(s => s.replace(/^(["'])(.*)\1$/, "$2"));
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

/* -- create, with the Job's progress ----------------------------------------- */

function openCreateDialog() {
    const m = model.manager || {};
    const templates = m.Templates || [];
    const name = h("input", { type: "text", id: "create-name", required: true, autocomplete: "off" });
    const template = h("select", { id: "create-template" },
                       templates.map(t => h("option", { value: t, selected: t === "busybox" }, t)));
    const lxcpath = h("select", { id: "create-lxcpath" }, (m.LXCPaths || []).map(p => h("option", { value: p }, p)));
    const targs = h("input", { type: "text", id: "create-template-args", placeholder: "e.g. --release bookworm" });
    const config = h("textarea", { id: "create-config", rows: 3, placeholder: "lxc.start.auto = 1" });
    const progress = h("div", { id: "create-progress", class: "lxc-progress", hidden: true });
    let jobPath = null;
    let timer = null;
    let expected = null;
    const cancelJob = button("Cancel creation", "pf-m-danger pf-m-small", () => {
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

    const dialog = openDialog({
        id: "create-dialog",
        title: "Create container",
        primary: "Create",
        size: "pf-m-md",
        action: "manage",
        body: [
            field("Name", name),
            field("Template", template),
            (m.LXCPaths || []).length > 1 ? field("Container directory", lxcpath) : null,
            field("Template arguments", targs, "Optional. Passing arguments to a template needs host-configuration rights."),
            field("Configuration", config, "Optional, one \u201ckey = value\u201d per line, set before the container is first saved."),
            progress,
        ],
        onClose() {
            jobListeners.delete(onJob);
            clearInterval(timer);
        },
        onSubmit() {
            const options = noInteraction();
            if (!name.value.trim())
                return Promise.reject({ name: ERROR + "InvalidArgument", message: "the container needs a name" });
            const args = splitArgs(targs.value);
            if (args.length)
                options.template_args = cockpit.variant("as", args);
            const items = parseConfigLines(config.value);
            if (Object.keys(items).length)
                options.config = cockpit.variant("a{ss}", items);
            if ((m.LXCPaths || []).length > 1)
                options.lxcpath = cockpit.variant("s", lxcpath.value);
            expected = containerPath(name.value.trim());
            jobPath = null;
            for (const [p, j] of model.jobs)
                onJob(p, j);
            showProgress();
            timer = setInterval(showProgress, 1000);
            return call(MANAGER, IFACE_MANAGER, "CreateContainer", [name.value.trim(), template.value, options])
                    .then(([path]) => {
                        showAlert("success", "Container " + name.value.trim() + " created", null);
                        select(path);
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
    dialog.extraFooter.append(cancelJob);
    jobListeners.add(onJob);
}

/* -- details of one container -------------------------------------------------- */

let detailsCache = { path: null, config: null, ips: null, snapshots: null };
let terminal = null;

function select(path) {
    if (model.selected === path)
        return;
    const old = model.selected;
    model.selected = path;
    closeTerminal();
    detailsCache = { path, config: null, ips: null, snapshots: null };
    if (old)
        renderRow(old);
    renderRow(path);
    renderDetails();
    loadConfig(path);
    loadIPs(path);
    loadSnapshots(path);
}

function section(title, id, ...content) {
    return h("section", { class: "lxc-section", id },
             h("h3", { class: "pf-c-title pf-m-md" }, title), content);
}

function dl(items) {
    return h("dl", { class: "pf-c-description-list pf-m-horizontal pf-m-compact" },
             items.map(([k, v]) => h("div", { class: "pf-c-description-list__group" },
                                     h("dt", { class: "pf-c-description-list__term" }, h("span", { class: "pf-c-description-list__text" }, k)),
                                     h("dd", { class: "pf-c-description-list__description" }, h("div", { class: "pf-c-description-list__text" }, v)))));
}

/* Render the details card; with *parts* (some of "header", "overview",
 * "snapshots", "config", "terminal") only those sections are rebuilt, so
 * that what the user is typing elsewhere in the card is left alone. */
function renderDetails(parts) {
    const el = $("details");
    const path = model.selected;
    const props = path && model.containers.get(path);
    if (!props) {
        closeTerminal();
        el.textContent = "";
        return;
    }
    const builders = {
        header: () => detailsHeader(path, props),
        overview: () => section("Overview", "details-overview", dl([
            ["State", props.State],
            ["Directory", props.LXCPath],
            ["Configuration file", props.ConfigFile],
            ["Autostart", props.Autostart ? "yes" : "no"],
            ["IP addresses", renderIPs()],
        ])),
        snapshots: () => section("Snapshots", "details-snapshots", renderSnapshots(path)),
        config: () => section("Configuration", "details-config", renderConfig(path)),
        terminal: () => section("Terminal", "details-terminal", renderTerminalSection(path)),
    };
    const card = $("container-details");
    if (parts && card && card.dataset.path === path) {
        for (const part of parts) {
            const old = $("details-" + part);
            if (old)
                old.replaceWith(builders[part]());
        }
        return;
    }
    el.textContent = "";
    el.append(h("div", { class: "pf-c-card lxc-details", id: "container-details", dataset: { name: props.Name, path } },
                builders.header(),
                h("div", { class: "pf-c-card__body" },
                  builders.overview(), builders.snapshots(), builders.config(), builders.terminal())));
}

function detailsHeader(path, props) {
    const manage = allowed("manage");
    return h("div", { class: "pf-c-card__title lxc-details-title", id: "details-header" },
             h("h2", { class: "pf-c-title pf-m-xl" }, props.Name),
             h("div", { class: "lxc-details-actions" },
               button("Clone", "pf-m-secondary", () => openCloneDialog(path), { id: "clone-button", disabled: !manage }),
               button("Rename", "pf-m-secondary", () => openRenameDialog(path), { id: "rename-button", disabled: !manage || props.State !== "STOPPED" }),
               button("Take snapshot", "pf-m-secondary", () => openSnapshotDialog(path), { id: "snapshot-button", disabled: !manage }),
               button("Destroy", "pf-m-danger", () => openDestroyDialog(path), { id: "destroy-button", disabled: !manage }),
               button("Close", "pf-m-plain", () => { model.selected = null; renderRow(path); renderDetails() }, { "aria-label": "Close details" })));
}

function renderIPs() {
    const ips = detailsCache.ips;
    if (ips === null)
        return "\u2026";
    if (!Array.isArray(ips))
        return ips.denied ? "Not authorized to read the addresses" : errorText(ips);
    if (ips.length === 0)
        return "none";
    return h("ul", { class: "lxc-ips", id: "container-ips" }, ips.map(a => h("li", null, a)));
}

function loadIPs(path) {
    const props = model.containers.get(path);
    if (!props)
        return;
    if (!props.Running) {
        detailsCache.ips = [];
        return;
    }
    callContainer(path, "GetInterfaces", [])
            .then(([ifaces]) => Promise.all(ifaces.filter(i => i !== "lo").map(i =>
                callContainer(path, "GetIPs", [i, "", 0]).then(([a]) => a.map(x => i + ": " + x)))))
            .then(lists => { if (detailsCache.path === path) { detailsCache.ips = lists.flat(); renderDetails(["overview"]) } })
            .catch(err => {
                if (detailsCache.path !== path)
                    return;
                detailsCache.ips = isNotAuthorized(err) ? { denied: true } : err;
                renderDetails(["overview"]);
            });
}

/* -- snapshots -- */

function loadSnapshots(path) {
    callContainer(path, "ListSnapshots", [])
            .then(([list]) => { if (detailsCache.path === path) { detailsCache.snapshots = list; renderDetails(["snapshots"]) } })
            .catch(err => {
                if (detailsCache.path !== path)
                    return;
                detailsCache.snapshots = isNotAuthorized(err) ? { denied: true } : err;
                renderDetails(["snapshots"]);
            });
}

function renderSnapshots(path) {
    const list = detailsCache.snapshots;
    if (list === null)
        return h("p", null, "Loading\u2026");
    if (list.denied)
        return h("p", null, "Not authorized to list snapshots.");
    if (!Array.isArray(list))
        return h("p", null, errorText(list));
    if (list.length === 0)
        return h("p", { id: "snapshot-list" }, "No snapshots.");
    const manage = allowed("manage");
    return h("table", { class: "pf-c-table pf-m-compact pf-m-grid-md", id: "snapshot-list", role: "grid", "aria-label": "Snapshots" },
             h("thead", null, h("tr", { role: "row" }, ["Name", "Comment", "Taken", ""].map(t => h("th", { role: "columnheader" }, t)))),
             h("tbody", null, list.map(([snap, comment, ts]) =>
                 h("tr", { role: "row", dataset: { snapshot: snap } },
                   h("td", { role: "gridcell", "data-label": "Name" }, snap),
                   h("td", { role: "gridcell", "data-label": "Comment" }, comment),
                   h("td", { role: "gridcell", "data-label": "Taken" }, ts),
                   h("td", { role: "gridcell", class: "lxc-actions" },
                     button("Restore", "pf-m-secondary pf-m-small", () => openRestoreDialog(path, snap), { disabled: !manage }),
                     button("Delete", "pf-m-danger pf-m-small", () => openDeleteSnapshotDialog(path, snap), { disabled: !manage }))))));
}

function nameInput(id, value) {
    return h("input", { type: "text", id, value: value || "", autocomplete: "off" });
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
            return callContainer(path, "Snapshot", [opts]).then(() => loadSnapshots(path));
        },
    });
}

function openRestoreDialog(path, snap) {
    const props = model.containers.get(path);
    const input = nameInput("restore-name", props.Name + "-" + snap);
    openDialog({
        id: "restore-dialog", title: "Restore snapshot " + snap, primary: "Restore", action: "manage",
        body: [field("New container name", input, "The snapshot is restored as a new container.")],
        onSubmit: () => callContainer(path, "RestoreSnapshot", [snap, input.value.trim()]),
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
    const input = nameInput("clone-name", props.Name + "-clone");
    const [snapBox, snapshot] = checkbox("clone-snapshot", "Copy-on-write snapshot clone (needs a backing store that supports it)");
    openDialog({
        id: "clone-dialog", title: "Clone " + props.Name, primary: "Clone", action: "manage",
        body: [field("New name", input), snapBox],
        onSubmit: () => {
            const opts = noInteraction();
            if (snapshot.checked)
                opts.flags = cockpit.variant("as", ["snapshot"]);
            return callContainer(path, "Clone", [input.value.trim(), opts]).then(([p]) => select(p));
        },
    });
}

function openRenameDialog(path) {
    const props = model.containers.get(path);
    const input = nameInput("rename-name", props.Name);
    openDialog({
        id: "rename-dialog", title: "Rename " + props.Name, primary: "Rename", action: "manage",
        body: [field("New name", input)],
        onSubmit: () => callContainer(path, "Rename", [input.value.trim()]).then(([p]) => select(p)),
    });
}

function openDestroyDialog(path) {
    const props = model.containers.get(path);
    const [snapBox, withSnapshots] = checkbox("destroy-snapshots", "Also destroy its snapshots");
    const [forceBox, force] = checkbox("destroy-force", "Stop it first if it is running");
    force.checked = props.Running;
    openDialog({
        id: "destroy-dialog", title: "Destroy " + props.Name + "?", primary: "Destroy", danger: true, action: "manage",
        body: [h("p", null, "The container " + props.Name + " and its root file system are deleted. This cannot be undone."),
            snapBox, forceBox],
        onSubmit: () => {
            const opts = noInteraction();
            opts.with_snapshots = cockpit.variant("b", withSnapshots.checked);
            opts.force = cockpit.variant("b", force.checked);
            return callContainer(path, "Destroy", [opts]);
        },
    });
}

/* -- configuration -- */

/* Keys the page offers even when they are not set. Which keys are editable
 * is the service's decision (see keyIsOrdinary). */
const COMMON_KEYS = [
    "lxc.uts.name", "lxc.start.auto", "lxc.start.delay", "lxc.start.order", "lxc.group",
    "lxc.signal.halt", "lxc.signal.reboot", "lxc.signal.stop", "lxc.tty.max", "lxc.pty.max",
    "lxc.environment", "lxc.init.cmd", "lxc.init.cwd", "lxc.init.uid", "lxc.init.gid", "lxc.autodev",
];

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
                return netKeys(0).then(() => Promise.all([...plain, ...nets].map(get)));
            })
            .then(pairs => Promise.all([pairs, classifyKeys(pairs.map(p => p[0]))]))
            .then(([pairs, editable]) => {
                if (detailsCache.path !== path)
                    return;
                /* editable keys first, then the host-level ones; liblxc
                 * reports unset strings as "(null)" */
                const shown = pairs.filter(([k, v]) => (v !== null && v !== "" && v !== "(null)") ||
                                                        (editable.has(k) && COMMON_KEYS.includes(k)))
                        .map(([k, v]) => [k, v === "(null)" ? "" : v])
                        .sort((a, b) => editable.has(b[0]) - editable.has(a[0]));
                detailsCache.config = { items: shown, editable };
                renderDetails(["config"]);
            })
            .catch(err => {
                if (detailsCache.path !== path)
                    return;
                if (isNotAuthorized(err))
                    deny("read-config");
                detailsCache.config = isNotAuthorized(err) ? { denied: true } : { error: err };
                renderDetails(["config"]);
            });
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

function renderConfig(path) {
    const cfg = detailsCache.config;
    if (cfg === null)
        return h("p", null, "Loading\u2026");
    if (cfg.denied)
        return h("p", { id: "config-denied" }, "Not authorized to read the configuration.");
    if (cfg.error)
        return h("p", null, errorText(cfg.error));
    const canEdit = allowed("configure");
    return h("table", { class: "pf-c-table pf-m-compact", id: "config-table", role: "grid", "aria-label": "Configuration" },
             h("thead", null, h("tr", { role: "row" }, ["Key", "Value", ""].map(t => h("th", { role: "columnheader" }, t)))),
             h("tbody", null, cfg.items.map(([key, value]) => {
                 const editable = cfg.editable.has(key);
                 if (!editable || value.includes("\n")) {
                     return h("tr", { role: "row", dataset: { key, editable: "false" } },
                              h("td", { role: "gridcell" }, h("code", null, key)),
                              h("td", { role: "gridcell", class: "lxc-config-value" }, value),
                              h("td", { role: "gridcell", class: "lxc-readonly-note" }, editable ? "" : "host setting, read-only"));
                 }
                 const input = h("input", { class: "pf-c-form-control", type: "text", value, "aria-label": key, disabled: !canEdit });
                 const save = button("Save", "pf-m-secondary pf-m-small", () => {
                     save.disabled = true;
                     const v = input.value;
                     (v === "" ? callContainer(path, "ClearConfigItem", [key]) : callContainer(path, "SetConfigItem", [key, v]))
                             .then(() => {
                                 showAlert("success", key + " saved", null);
                                 const item = cfg.items.find(p => p[0] === key);
                                 if (item)
                                     item[1] = v;
                             })
                             .catch(err => reportError(err, "Could not set " + key, "configure"))
                             .finally(() => { save.disabled = !allowed("configure") });
                 }, { disabled: !canEdit });
                 return h("tr", { role: "row", dataset: { key, editable: "true" } },
                          h("td", { role: "gridcell" }, h("code", null, key)),
                          h("td", { role: "gridcell" }, input),
                          h("td", { role: "gridcell" }, save));
             })));
}

/* -- terminal: Cockpit's stream channel running "lxcctl shell NAME" on a pty -- */

function renderTerminalSection(path) {
    const props = model.containers.get(path);
    if (terminal && terminal.path === path)
        return terminal.holder;     /* moved, not rebuilt: the shell goes on */
    const open = button("Open shell", "pf-m-secondary", () => openTerminal(path), {
        id: "terminal-open", disabled: !props.Running || !allowed("exec"),
    });
    return h("div", { id: "terminal-holder" }, open,
             props.Running ? null : h("span", { class: "lxc-muted" }, " The container must be running."));
}

function openTerminal(path) {
    const props = model.containers.get(path);
    closeTerminal();
    const holder = h("div", { id: "terminal-holder" });
    const screen = h("div", { class: "lxc-terminal", id: "terminal" });
    const status = h("p", { class: "lxc-muted", id: "terminal-status" });
    holder.append(screen, status, button("Close shell", "pf-m-secondary pf-m-small", () => { closeTerminal(); renderDetails(["terminal"]) }));
    const rows = 24, cols = 100;
    const term = new window.Terminal({ rows, cols, fontSize: 13, convertEol: false, cursorBlink: true, scrollback: 1000 });
    const channel = cockpit.channel({
        payload: "stream",
        spawn: ["lxcctl", "--no-ask-password", "shell", props.Name],
        pty: true,
        environ: ["TERM=xterm-256color"],
        window: { rows, cols },
    });
    channel.addEventListener("message", (ev, data) => term.write(data));
    channel.addEventListener("close", (ev, options) => {
        status.textContent = options.problem ? "Shell closed: " + cockpit.message(options) : "Shell ended.";
    });
    term.onData(data => channel.send(data));
    terminal = { path, holder, term, channel };
    renderDetails(["terminal"]);
    term.open(screen);
    /* xterm.js does not draw while it is out of view */
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
}

/* -- go -------------------------------------------------------------------- */

$("create-button").addEventListener("click", openCreateDialog);
client.addEventListener("close", (ev, options) => {
    showAlert("danger", "Lost the connection to the system bus", cockpit.message(options));
});
start();
