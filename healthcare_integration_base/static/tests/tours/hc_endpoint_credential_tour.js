/** @odoo-module **/
import { registry } from "@web/core/registry";

// An integration admin connects a new system: creates the endpoint, generates its API key and
// copies the key and the curl example from the dialog, which stays until she closes it.
function fail(message) {
    throw new Error(message);
}

registry.category("web_tour.tours").add("hc_endpoint_credential", {
    steps: () => [
        {
            content: "Record what the copy buttons put in the clipboard",
            trigger: ".o_list_view, .o_view_nocontent",
            run() {
                window.hcCopied = [];
                Object.defineProperty(navigator.clipboard, "writeText", {
                    configurable: true,
                    value: async (text) => window.hcCopied.push(text),
                });
            },
        },
        {
            content: "New endpoint",
            trigger: ".o_control_panel_main_buttons button.o_list_button_add",
            run: "click",
        },
        {
            content: "Name it",
            trigger: ".o_field_widget[name=name] input",
            run: "edit Pharmacy carousel",
        },
        {
            content: "Give it a code",
            trigger: ".o_field_widget[name=code] input",
            run: "edit pharmacy-carousel",
        },
        {
            content: "It authenticates with an API key",
            trigger: ".o_field_widget[name=auth_method] select",
            run: 'select "api_key"',
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Generate its key",
            trigger: ".o_form_saved button[name=action_generate_secret]",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The dialog shows the key, the full URL and a curl example",
            trigger: ".o_hc_credential_dialog input.o_hc_webhook_url",
            run() {
                const url = document.querySelector(".o_hc_credential_dialog input.o_hc_webhook_url").value;
                if (!/^https?:\/\/[^/]+\/hc\/v1\/endpoints\/pharmacy-carousel\/messages$/.test(url)) {
                    fail(`the webhook URL is not the full URL: ${url}`);
                }
            },
        },
        {
            content: "Copy the key",
            trigger: ".o_hc_credential_dialog .o_hc_copy_credential",
            run: "click",
        },
        {
            content: "The key was copied",
            trigger: ".o_hc_credential_dialog .o_hc_copy_curl",
            run() {
                const key = document.querySelector(".o_hc_credential_dialog input.o_hc_credential").value;
                if (!key || window.hcCopied[0] !== key) {
                    fail(`the key was not copied: ${JSON.stringify(window.hcCopied)}`);
                }
            },
        },
        {
            content: "Copy the curl example",
            trigger: ".o_hc_credential_dialog .o_hc_copy_curl",
            run: "click",
        },
        {
            content: "The curl example was copied, with the key and the full URL",
            trigger: ".o_hc_credential_dialog .o_hc_curl",
            run() {
                const key = document.querySelector(".o_hc_credential_dialog input.o_hc_credential").value;
                const curl = window.hcCopied[1] || "";
                if (!curl.startsWith("curl ") || !curl.includes(`Bearer ${key}`) || !curl.includes("http")) {
                    fail(`the curl example was not copied as expected: ${curl}`);
                }
            },
        },
        {
            content: "The dialog stays until she closes it",
            trigger: ".o_hc_credential_dialog .o_hc_credential_close",
            run: "click",
        },
        {
            content: "Back on the endpoint, which now has a credential",
            trigger: "body:not(:has(.modal)) .o_field_widget[name=credential_hint]:not(:empty)",
        },
    ],
});
