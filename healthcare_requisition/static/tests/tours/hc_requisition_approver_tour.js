/** @odoo-module **/
import { registry } from "@web/core/registry";

// A department approver finds the requisition waiting for her in her activities, sees why it
// came to her (over budget, her limit), and approves it with a reason.
registry.category("web_tour.tours").add("hc_requisition_approver_activity", {
    steps: () => [
        {
            content: "Open my activities",
            trigger: ".o_menu_systray i[aria-label='Activities']",
            run: "click",
        },
        {
            content: "The requisition waits for me",
            trigger: ".o-mail-ActivityGroup[data-model_name='hc.requisition'] .btn-link",
            run: "click",
        },
        {
            content: "Open the requisition",
            trigger: ".o_kanban_record:contains('Pump T'), .o_data_row:contains('REQ') td.o_data_cell, .o_kanban_record:contains('REQ')",
            run: "click",
        },
        {
            content: "Why it came to me is said",
            trigger: ".o_field_widget[name=routing_note]:contains('Over budget')",
        },
        {
            content: "The item is listed",
            trigger: ".o_field_widget[name=line_ids] .o_data_row:contains('Pump T')",
        },
        {
            content: "Approve",
            trigger: "button.o_hc_req_approve",
            run: "click",
        },
        {
            content: "Give the reason",
            trigger: ".modal .o_hc_req_reason textarea",
            run: "edit Pump replacement agreed with the ward",
        },
        {
            content: "Confirm",
            trigger: ".modal button.o_hc_req_confirm",
            run: "click",
        },
        {
            content: "The requisition is decided: nothing left to approve, its item is being purchased",
            trigger: "body:not(:has(.modal)) .o_form_view:not(:has(button.o_hc_req_approve)) .o_field_widget[name=line_ids] .o_data_row:contains('Purchase')",
        },
    ],
});
