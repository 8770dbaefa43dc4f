/** @odoo-module **/
import { registry } from "@web/core/registry";

// The second person approves a stock adjustment the first one proposed (four-eyes).
registry.category("web_tour.tours").add("hc_reconciliation_four_eyes", {
    steps: () => [
        {
            content: "Open the proposed reconciliation",
            trigger: ".o_data_row:contains('Cabinet T1 weekly') td.o_data_cell",
            run: "click",
        },
        {
            content: "The status bar shows it is proposed",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Adjustment Proposed')",
        },
        {
            content: "Approve",
            trigger: "button.o_hc_approve",
            run: "click",
        },
        {
            content: "Give the reason",
            trigger: ".modal .o_hc_decision_reason textarea",
            run: "edit Recounted by the charge nurse",
        },
        {
            content: "Confirm",
            trigger: ".modal button.o_hc_decision_confirm",
            run: "click",
        },
        {
            content: "The adjustment is applied",
            trigger: "body:not(:has(.modal)) .o_statusbar_status button.o_arrow_button_current:contains('Applied')",
        },
    ],
});

// The proposer sees why she cannot approve her own proposal, and no buttons.
registry.category("web_tour.tours").add("hc_reconciliation_proposer_waits", {
    steps: () => [
        {
            content: "Open the proposed reconciliation",
            trigger: ".o_data_row:contains('Cabinet T1 weekly') td.o_data_cell",
            run: "click",
        },
        {
            content: "She is told another approver must approve",
            trigger: ".o_hc_decide_hint:contains('four-eyes')",
        },
        {
            content: "No Approve button for her",
            trigger: ".o_form_view:not(:has(button.o_hc_approve))",
        },
    ],
});
