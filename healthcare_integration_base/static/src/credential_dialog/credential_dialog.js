/** @odoo-module **/
import { Component } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { CopyButton } from "@web/core/copy_button/copy_button";
import { Dialog } from "@web/core/dialog/dialog";
import { registry } from "@web/core/registry";

/**
 * Shows an endpoint's new credential once, in a dialog that stays until it is closed: the key
 * with a copy button, the full webhook URL, a ready curl example and, for signed endpoints, a
 * snippet that signs with the Standard Webhooks library. The credential travels only in the
 * action that opens this dialog; it is not stored anywhere readable.
 */
export class HcCredentialDialog extends Component {
    static template = "healthcare_integration_base.HcCredentialDialog";
    static components = { Dialog, CopyButton };
    static props = {
        close: Function,
        title: String,
        endpoint_code: String,
        auth_method: String,
        credential: String,
        credential_label: String,
        url: String,
        curl: String,
        snippet: { type: [String, { value: false }], optional: true },
        snippet_label: { type: [String, { value: false }], optional: true },
    };

    get copied() {
        return _t("Copied");
    }
}

function openCredentialDialog(env, action) {
    const params = action.params || {};
    env.services.dialog.add(HcCredentialDialog, params, {
        // the form behind the dialog shows the new credential's hint once the dialog is gone
        onClose: () => env.services.action.doAction({ type: "ir.actions.client", tag: "soft_reload" }),
    });
}

registry.category("actions").add("hc_credential_dialog", openCredentialDialog);
