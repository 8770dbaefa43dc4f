/** @odoo-module **/
/**
 * Opens the suite's main screens one after the other and asks the test (through the console)
 * to capture each: the screenshots of the addons' readme stay current. Driven by
 * ``healthcare_inventory_sync/tests/test_screenshots.py``.
 */
import { App } from "@odoo/owl";
import { rpcBus } from "@web/core/network/rpc";

const pending = new Set();

function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

async function settle(selector) {
    const start = Date.now();
    let stable = 0;
    while (stable < 5) {
        const busy = pending.size || [...App.apps].some((app) => app.scheduler.tasks.size);
        stable = !busy && (!selector || document.querySelector(selector)) ? stable + 1 : 0;
        if (document.querySelector(".o_error_dialog")) {
            throw new Error(`hc_screenshots: error dialog on ${selector}`);
        }
        if (Date.now() - start > 60000) {
            throw new Error(`hc_screenshots: timed out waiting for ${selector}`);
        }
        await sleep(100);
    }
}

export async function hcTakeScreenshots(shots) {
    const env = odoo.__WOWL_DEBUG__.root.env;
    rpcBus.addEventListener("RPC:REQUEST", ({ detail }) => pending.add(detail.data.id));
    rpcBus.addEventListener("RPC:RESPONSE", ({ detail }) => pending.delete(detail.data.id));
    for (const shot of shots) {
        await env.services.action.doAction(shot.action, {
            clearBreadcrumbs: true,
            viewType: shot.view_type,
            additionalContext: shot.context || {},
            props: shot.res_id ? { resId: shot.res_id } : {},
        });
        await settle(shot.wait_for);
        window.hcShotDone = false;
        console.log(`hc-screenshot:${shot.name}`);
        const start = Date.now();
        while (!window.hcShotDone) {
            if (Date.now() - start > 30000) {
                throw new Error(`hc_screenshots: no capture for ${shot.name}`);
            }
            await sleep(50);
        }
    }
    console.log("test successful");
}
