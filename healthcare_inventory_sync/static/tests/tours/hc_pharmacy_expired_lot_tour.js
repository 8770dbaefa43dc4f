/** @odoo-module **/
import { registry } from "@web/core/registry";

// A pharmacist sees why a cabinet's consumption waits (an expired lot), approves it with a
// reason, and sees the message posted.
registry.category("web_tour.tours").add("hc_pharmacy_expired_lot", {
    steps: () => [
        {
            content: "Open the exception about the expired lot",
            trigger: ".o_data_row td.o_data_cell:contains('lot_expired')",
            run: "click",
        },
        {
            content: "Open the waiting message",
            trigger: ".o_field_widget[name=message_ids] .o_data_row td:contains('inventory.consumption')",
            run: "click",
        },
        {
            content: "See why it waits",
            trigger: ".modal .o_field_widget[name=error_detail]:contains('expired')",
        },
        {
            content: "Close the message",
            trigger: ".modal .o_form_button_cancel, .modal .btn-close",
            run: "click",
        },
        {
            content: "Approve",
            trigger: "body:not(:has(.modal)) button.o_hc_approve",
            run: "click",
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
        {
            content: "The message is posted",
            trigger: ".o_field_widget[name=message_ids] .o_data_row:contains('Done')",
        },
    ],
});
