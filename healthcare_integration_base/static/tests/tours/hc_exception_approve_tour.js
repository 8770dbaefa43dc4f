/** @odoo-module **/
import { registry } from "@web/core/registry";

// An Exception Approver opens the exception queue, reads why a message waits,
// approves it with a reason and sees the decision recorded.
registry.category("web_tour.tours").add("hc_exception_approve", {
    steps: () => [
        {
            content: "Open the exception raised by the cabinet",
            trigger: ".o_data_row td.o_data_cell:contains('lot_expired')",
            run: "click",
        },
        {
            content: "The message waiting on it is listed",
            trigger: ".o_field_widget[name=message_ids] .o_data_row",
        },
        {
            content: "Approve",
            trigger: "button.o_hc_approve",
            run: "click",
        },
        {
            content: "Give the reason",
            trigger: ".modal .o_hc_decision_reason textarea",
            run: "edit Physician approved use of the expired lot for this patient",
        },
        {
            content: "Confirm the decision",
            trigger: ".modal button.o_hc_decision_confirm",
            run: "click",
        },
        {
            content: "The exception is approved",
            trigger: "body:not(:has(.modal)) .o_statusbar_status button.o_arrow_button_current:contains('Approved')",
        },
    ],
});
