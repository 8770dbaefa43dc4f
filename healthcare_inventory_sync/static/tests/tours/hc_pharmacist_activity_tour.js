/** @odoo-module **/
import { registry } from "@web/core/registry";

// A pharmacist of the Pharmacy team finds the decision waiting for her in her activities,
// reads what happened in words (product, lot, quantity and unit, location) and what
// approving will do, and approves it with a reason.
registry.category("web_tour.tours").add("hc_pharmacist_activity", {
    steps: () => [
        {
            content: "Open my activities",
            trigger: ".o_menu_systray i[aria-label='Activities']",
            run: "click",
        },
        {
            content: "The integration exception waits for me",
            trigger: ".o-mail-ActivityGroup[data-model_name='hc.exception'] .btn-link",
            run: "click",
        },
        {
            content: "Open the expired-lot exception",
            trigger: ".o_kanban_record:contains('Expired lot'), .o_data_row:contains('Expired lot') td.o_data_cell",
            run: "click",
        },
        {
            content: "The product is named",
            trigger: ".o_field_widget[name=hc_product_id]:contains('Heparin T')",
        },
        {
            content: "The lot is named, with its expiry in words",
            trigger: ".o_field_widget[name=hc_lot_expiry]:contains('expired')",
        },
        {
            content: "The quantity has its unit",
            trigger: ".o_field_widget[name=hc_quantity_display]:contains('2 Units')",
        },
        {
            content: "The location is named",
            trigger: ".o_field_widget[name=hc_location_id]:contains('Cab T1')",
        },
        {
            content: "What approving will do is said in words",
            trigger: ".o_hc_effect:contains('Approving will'):contains('consume 2 Units'):contains('lot TL-HEP-OLD'):contains('expired 2025-01-31')",
        },
        {
            content: "No Retry where retrying cannot help",
            trigger: ".o_form_view:not(:has(button[name=action_retry_messages]))",
        },
        {
            content: "Approve",
            trigger: "button.o_hc_approve",
            run: "click",
        },
        {
            content: "The dialog says what is decided",
            trigger: ".modal .modal-title:contains('Approve: Expired lot')",
        },
        {
            content: "Give the reason",
            trigger: ".modal .o_hc_decision_reason textarea",
            run: "edit No other lot in the cabinet; physician approved",
        },
        {
            content: "Confirm",
            trigger: ".modal button.o_hc_decision_confirm",
            run: "click",
        },
        {
            content: "The exception is approved",
            trigger: "body:not(:has(.modal)) .o_statusbar_status button.o_arrow_button_current:contains('Approved')",
        },
    ],
});
