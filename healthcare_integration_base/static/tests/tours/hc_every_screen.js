/** @odoo-module **/
/**
 * Opens every screen of the suite in the real web client, the way a person would: each menu,
 * each view type of its action (list, kanban, graph, pivot, ...), and one record's form. Any
 * client error fails the run: an error dialog, an uncaught error, an error logged to the
 * console (Odoo's HttpCase fails on those), or a resource (script, style, image) that did not
 * load.
 *
 * Driven by ``tests/test_ui_every_screen.py`` through ``browser_js``:
 *     odoo.loader.modules.get("@healthcare_integration_base/../tests/tours/hc_every_screen")
 *         .hcOpenEveryScreen(screens)
 */
import { App } from "@odoo/owl";
import { rpcBus } from "@web/core/network/rpc";

const MULTI_RECORD_VIEWS = ["list", "kanban", "graph", "pivot", "calendar", "activity"];
// a form first: a form's one2many field holds a list view of its own
const VIEW_ROOT = {
    form: ".o_form_view",
    list: ".o_list_view",
    kanban: ".o_kanban_view",
    graph: ".o_graph_view",
    pivot: ".o_pivot_view",
    calendar: ".o_calendar_view",
    activity: ".o_activity_view",
};

const pending = new Set();
let failedResources = [];
let where = "start";

function fail(message) {
    const text = `hc_every_screen: ${where}: ${message}`;
    console.error(text);
    throw new Error(text);
}

function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

function scheduledTasks() {
    let size = 0;
    for (const app of App.apps) {
        size += app.scheduler.tasks.size;
    }
    return size;
}

function checkClientErrors() {
    const dialog = document.querySelector(".o_error_dialog");
    if (dialog) {
        const details = dialog.querySelector(".o_error_detail, pre");
        fail(`error dialog: ${((details && details.textContent) || dialog.innerText).slice(0, 3000)}`);
    }
    const entries = performance.getEntriesByType("resource");
    const broken = entries.filter((e) => e.responseStatus && e.responseStatus >= 400);
    // RPC errors are reported by the dialog above; resources are scripts, styles, images, fonts
    const missing = broken.filter((e) => !["fetch", "xmlhttprequest"].includes(e.initiatorType));
    if (missing.length) {
        fail(`resource(s) failed to load: ${missing.map((e) => `${e.name} (${e.responseStatus})`).join(", ")}`);
    }
    if (failedResources.length) {
        fail(`resource(s) failed to load: ${failedResources.join(", ")}`);
    }
}

/** Wait until ``condition`` holds, no RPC is pending and Owl has rendered everything. */
async function waitFor(condition, what, timeout = 90000) {
    const start = Date.now();
    let stable = 0;
    while (true) {
        checkClientErrors();
        if (condition() && !pending.size && !scheduledTasks()) {
            stable++;
            if (stable >= 3) {
                await sleep(50);
                checkClientErrors();
                return;
            }
        } else {
            stable = 0;
        }
        if (Date.now() - start > timeout) {
            fail(`timed out waiting for ${what} (pending RPCs: ${[...pending].join(", ") || "none"})`);
        }
        await sleep(50);
    }
}

function click(el, what) {
    if (!el) {
        fail(`nothing to click for ${what}`);
    }
    for (const type of ["pointerdown", "mousedown", "pointerup", "mouseup", "click"]) {
        el.dispatchEvent(new MouseEvent(type, { bubbles: true, cancelable: true, view: window }));
    }
}

function activeViewType() {
    for (const [type, selector] of Object.entries(VIEW_ROOT)) {
        if (document.querySelector(`.o_action_manager ${selector}`)) {
            return type;
        }
    }
    return null;
}

async function closeDialogs() {
    for (const close of document.querySelectorAll(".modal .btn-close, .modal .o_form_button_cancel")) {
        if (close.isConnected) {
            click(close, "close the dialog");
        }
    }
    await waitFor(() => !document.querySelector(".modal"), "the dialog to close");
}

async function switchTo(viewType) {
    if (activeViewType() === viewType) {
        return;
    }
    const button = document.querySelector(`.o_control_panel .o_switch_view.o_${viewType}`);
    click(button, `the ${viewType} view switcher`);
    await waitFor(
        () => document.querySelector(`.o_action_manager ${VIEW_ROOT[viewType] || `.o_${viewType}_view`}`),
        `the ${viewType} view`
    );
}

async function clearFacets() {
    let facet = document.querySelector(".o_searchview_facet .o_facet_remove");
    while (facet) {
        click(facet, "remove a search facet");
        await waitFor(() => true, "the search to reload");
        facet = document.querySelector(".o_searchview_facet .o_facet_remove");
    }
}

/** Open one record's form from the list (clearing the default filters if they hide every row). */
async function openOneRecord(screen) {
    await switchTo("list");
    if (!document.querySelector(".o_list_view .o_data_row")) {
        await clearFacets();
    }
    const cell = document.querySelector(".o_list_view .o_data_row td.o_data_cell");
    if (!cell) {
        return false;
    }
    click(cell, "the first record of the list");
    await waitFor(() => document.querySelector(".o_action_manager .o_form_view"), "the record's form");
    // every notebook page of the form renders too
    await visitNotebookPages();
    const breadcrumb = document.querySelector(".o_breadcrumb .breadcrumb-item a");
    if (breadcrumb) {
        click(breadcrumb, "the breadcrumb back to the list");
        await waitFor(() => !document.querySelector(".o_action_manager .o_form_view"), "the list again");
    }
    return true;
}

async function visitNotebookPages() {
    for (const tab of document.querySelectorAll(".o_form_view .o_notebook .nav-link:not(.active)")) {
        click(tab, `the "${tab.innerText.trim()}" page`);
        await waitFor(() => true, `the "${tab.innerText.trim()}" page`);
    }
}

/**
 * Screens no menu leads to: a record's form shown by a suite view that extends another app's
 * form (purchase order, receipt, bill, employee, ...), actions bound to a model's Action menu
 * (with the record they act on) and the actions buttons return (wizards, smart buttons). Each
 * opens, then every view type its switcher offers (list, kanban, graph, pivot, ...).
 */
async function openExtraScreen(env, extra) {
    let action = extra.action;
    if (extra.call) {
        action = await env.services.orm.call(extra.call.model, extra.call.method, [extra.call.ids]);
        if (action && !action.views && action.view_mode) {
            // what the server's button call does for a returned window action (clean_action)
            action.views = action.view_mode.split(",").map((viewType) => [false, viewType]);
        }
    } else if (extra.record) {
        action = {
            type: "ir.actions.act_window",
            res_model: extra.record.model,
            res_id: extra.record.id,
            views: [[false, "form"]],
            target: "current",
        };
    }
    if (!action) {
        fail("no action to open");
    }
    await env.services.action.doAction(action, {
        clearBreadcrumbs: true,
        additionalContext: extra.context || {},
    });
    await waitFor(
        () => document.querySelector(".modal .o_form_view") || activeViewType(),
        "the screen"
    );
    const seen = [];
    if (document.querySelector(".modal .o_form_view")) {
        seen.push("dialog");
        await closeDialogs();
        return seen;
    }
    seen.push(activeViewType());
    const switchers = [...document.querySelectorAll(".o_control_panel .o_switch_view")];
    const types = switchers
        .map((b) => [...b.classList].find((c) => c.startsWith("o_") && c !== "o_switch_view"))
        .filter(Boolean)
        .map((c) => c.slice(2));
    for (const viewType of types) {
        where = `${extra.label}, ${viewType} view`;
        await switchTo(viewType);
        seen.push(viewType);
    }
    if (activeViewType() === "form") {
        await visitNotebookPages();
    }
    return seen;
}

export async function hcOpenExtraScreens(extras) {
    const env = odoo.__WOWL_DEBUG__.root.env;
    listen();
    const report = [];
    for (const extra of extras) {
        where = extra.label;
        failedResources = [];
        const seen = await openExtraScreen(env, extra);
        report.push({ screen: extra.label, views: [...new Set(seen.filter(Boolean))] });
    }
    where = "end";
    checkClientErrors();
    console.log(`hc_every_screen extra report: ${JSON.stringify(report)}`);
    console.log("test successful");
}

let listening = false;
function listen() {
    if (listening) {
        return;
    }
    listening = true;
    rpcBus.addEventListener("RPC:REQUEST", ({ detail }) => pending.add(detail.data.id));
    rpcBus.addEventListener("RPC:RESPONSE", ({ detail }) => pending.delete(detail.data.id));
    window.addEventListener(
        "error",
        (ev) => {
            const target = ev.target;
            if (target && target !== window && (target.src || target.href)) {
                failedResources.push(target.src || target.href);
            }
        },
        true
    );
    window.addEventListener("unhandledrejection", (ev) => {
        console.error(`hc_every_screen: ${where}: unhandled rejection: ${ev.reason && (ev.reason.stack || ev.reason)}`);
    });
}

export async function hcOpenEveryScreen(screens) {
    const env = odoo.__WOWL_DEBUG__.root.env;
    listen();
    const report = [];
    for (const screen of screens) {
        where = `menu "${screen.path}"`;
        failedResources = [];
        await env.services.menu.selectMenu(screen.menu_id);
        if (screen.target === "new") {
            await waitFor(() => document.querySelector(".modal .o_form_view"), "the dialog");
            report.push({ menu: screen.path, views: ["dialog"] });
            await closeDialogs();
            continue;
        }
        await waitFor(() => activeViewType() || document.querySelector(".o_action_manager .o_action"), "the action");
        const seen = [activeViewType()];
        for (const viewType of screen.view_types) {
            where = `menu "${screen.path}", ${viewType} view`;
            if (MULTI_RECORD_VIEWS.includes(viewType)) {
                await switchTo(viewType);
                seen.push(viewType);
            }
        }
        if (screen.view_types.includes("form") && screen.view_types.includes("list")) {
            where = `menu "${screen.path}", a record's form`;
            if (await openOneRecord(screen)) {
                seen.push("record form");
            } else if (screen.expect_record) {
                fail("the list shows no record to open, though the test created some");
            }
        }
        report.push({ menu: screen.path, views: [...new Set(seen.filter(Boolean))] });
    }
    where = "end";
    checkClientErrors();
    console.log(`hc_every_screen report: ${JSON.stringify(report)}`);
    console.log("test successful");
}
