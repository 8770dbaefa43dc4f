/** @odoo-module **/
import { registry } from "@web/core/registry";

// An auditor opens the evidence pack of a lot from the lot itself (Action menu): the dialog
// names the lot in words, nothing to type.
registry.category("web_tour.tours").add("hc_evidence_from_lot", {
    steps: () => [
        {
            content: "The lot's form",
            trigger: ".o_form_view .o_breadcrumb:contains('TL-1')",
        },
        {
            content: "Open the Action menu",
            trigger: ".o_form_view .o_cp_action_menus i.fa-cog",
            run: "click",
        },
        {
            content: "Evidence Pack",
            trigger: ".o-dropdown--menu .o_menu_item:contains('Evidence Pack')",
            run: "click",
        },
        {
            content: "The pack is about this lot, named in words",
            trigger: ".modal .o_field_widget[name=record_label]:contains('TL-1')",
        },
        {
            content: "No model name or record id to type",
            trigger: ".modal:not(:has(.o_field_widget[name=model])):not(:has(.o_field_widget[name=res_id]))",
        },
        {
            content: "Both exports are offered",
            trigger: ".modal footer button:contains('Download JSON') ~ button:contains('Print PDF')",
        },
        {
            content: "Close",
            trigger: ".modal footer button:contains('Close')",
            run: "click",
        },
        {
            content: "Back on the lot",
            trigger: "body:not(:has(.modal)) .o_form_view .o_breadcrumb:contains('TL-1')",
        },
    ],
});
