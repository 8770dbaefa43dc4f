"""HR master data into Odoo, a batch at a time: cost centres, departments, employees, users.

The processor of ``hr.cost_center``, ``hr.department`` and ``hr.employee``
(``data/hc_message_type_data.xml``). A batch is applied set-wise: one query per kind of record
to find what exists, one ``create`` per kind for what is new, and writes grouped by identical
values for what changed; a document that changes nothing writes nothing (a nightly batch
re-sent under new ids leaves Odoo as it was). Documents about the same record in one batch are
applied in order (a hire then a transfer). Everything runs inside :func:`hr_sync`, the only way
HR-owned fields change, and under the engine's attribution (``webhook:<endpoint>``), so the
audit trail records the HR interface as the source.
"""

import json
from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.addons.healthcare_integration_base.lib.errors import HcBusinessError

from ..lib import hrdoc, schema
from .hr_owned import hr_sync

KIND_ORDER = ("cost_center", "department", "employee")
TEAM = "healthcare_workforce.hc_team_hr"


def _write_grouped(records_vals):
    """Write ``[(record, vals)]`` with one ``write`` per distinct ``vals``."""
    groups = defaultdict(list)
    for rec, vals in records_vals:
        if vals:
            groups[tuple(sorted(vals.items(), key=lambda kv: kv[0]))].append(rec.id)
    for items, ids in groups.items():
        model = records_vals[0][0]
        model.browse(ids).write(dict(items))


class HcProcessorWorkforce(models.AbstractModel):
    _name = "hc.processor.workforce"
    _inherit = "hc.message.processor"
    _description = "Processor: HR master data"

    # ------------------------------------------------------------------ the door
    @api.model
    def _validate_document(self, message_type, document, kind):
        if kind in ("event", "batch"):
            return schema.validate(message_type, document)
        return [f"$: {message_type} is sent as canonical JSON (application/json)"]

    @api.model
    def _openapi_schemas(self):
        return {
            "schemas": {
                "HrCostCenter": schema.COST_CENTER,
                "HrDepartment": schema.DEPARTMENT,
                "HrEmployee": schema.EMPLOYEE,
            },
            "json_bodies": ["HrCostCenter", "HrDepartment", "HrEmployee"],
        }

    # ------------------------------------------------------------------ entry point
    @api.model
    def _process(self, messages):
        outcomes = {}
        parsed = []
        for msg in messages:
            body = json.loads(msg.payload or "{}")
            parsed.append((msg, hrdoc.normalise(msg.message_type, body)))
        # rounds: each record at most once per round, in the order the documents came
        rounds, seen = [], defaultdict(int)
        for msg, doc in parsed:
            n = seen[(doc.kind, doc.key)]
            seen[(doc.kind, doc.key)] += 1
            if n >= len(rounds):
                rounds.append([])
            rounds[n].append((msg, doc))
        company = messages[:1].endpoint_id.company_id
        with hr_sync():
            for batch in rounds:
                # a department's manager may be hired in the same batch: set once employees exist
                state = {"employees": {d.key for _m, d in batch if d.kind == "employee"}, "deferred": []}
                for kind in KIND_ORDER:
                    items = [(m, d) for m, d in batch if d.kind == kind]
                    if items:
                        outcomes.update(getattr(self, f"_hc_apply_{kind}")(company, items, state))
                self._hc_apply_deferred_managers(company, outcomes, state)
        return outcomes

    def _hc_apply_deferred_managers(self, company, outcomes, state):
        deferred = [(m, rec, ext) for m, rec, ext in state["deferred"] if isinstance(outcomes.get(m.id), dict)]
        if not deferred:
            return
        emps = self._hc_employees(company, {ext for _m, _r, ext in deferred})
        writes = []
        for msg, rec, ext in deferred:
            if ext in emps:
                if rec.manager_id != emps[ext]:
                    writes.append((rec, {"manager_id": emps[ext].id}))
            else:
                outcomes[msg.id] = self._hc_unknown(msg, [("manager", ext)])
        if writes:
            _write_grouped(writes)

    # ------------------------------------------------------------------ cost centres
    def _hc_cost_centers(self, company, codes):
        if not codes:
            return {}
        accounts = (
            self.env["account.analytic.account"]
            .with_context(active_test=False)
            .search([("code", "in", list(codes)), ("company_id", "in", [company.id, False])])
        )
        return {a.code: a for a in accounts}

    def _hc_apply_cost_center(self, company, items, state=None):
        Account = self.env["account.analytic.account"].with_context(active_test=False)
        existing = self._hc_cost_centers(company, {d.key for _m, d in items})
        plan = self.env.ref("healthcare_workforce.analytic_plan_cost_centres")
        to_create, writes, out = [], [], {}
        for msg, doc in items:
            rec = existing.get(doc.key)
            vals = {"name": doc.values.get("name"), "active": doc.active}
            if rec:
                changed = {k: v for k, v in vals.items() if rec[k] != v}
                if not rec.hc_hr_managed:
                    changed["hc_hr_managed"] = True
                writes.append((rec, changed))
            else:
                to_create.append(
                    (
                        msg,
                        {**vals, "code": doc.key, "plan_id": plan.id, "company_id": company.id, "hc_hr_managed": True},
                    )
                )
        created = Account.create([v for _m, v in to_create]) if to_create else Account
        for (msg, _v), rec in zip(to_create, created, strict=True):
            out[msg.id] = {"result_model": "account.analytic.account", "result_ids": rec.ids}
        if writes:
            _write_grouped(writes)
        for msg, doc in items:
            if msg.id not in out:
                out[msg.id] = {"result_model": "account.analytic.account", "result_ids": existing[doc.key].ids}
        return out

    # ------------------------------------------------------------------ departments
    def _hc_departments(self, company, codes):
        if not codes:
            return {}
        depts = (
            self.env["hr.department"]
            .with_context(active_test=False)
            .search([("hc_code", "in", list(codes)), ("company_id", "in", [company.id, False])])
        )
        return {d.hc_code: d for d in depts}

    def _hc_employees(self, company, ext_ids):
        if not ext_ids:
            return {}
        emps = (
            self.env["hr.employee"]
            .with_context(active_test=False)
            .search([("hc_external_id", "in", list(ext_ids)), ("company_id", "=", company.id)])
        )
        return {e.hc_external_id: e for e in emps}

    def _hc_apply_department(self, company, items, state):
        Dept = self.env["hr.department"].with_context(active_test=False)
        codes = {d.key for _m, d in items}
        parents = {d.values.get("parent") for _m, d in items} - {None}
        existing = self._hc_departments(company, codes | parents)
        centers = self._hc_cost_centers(company, {d.values.get("cost_center") for _m, d in items} - {None})
        managers = self._hc_employees(company, {d.values.get("manager") for _m, d in items} - {None})
        out, to_create, pending, deferred_by_key = {}, [], [], {}
        for msg, doc in items:
            vals, missing = {"active": doc.active}, []
            for name in ("name", "facility"):
                if name in doc.values:
                    vals["hc_facility" if name == "facility" else name] = doc.values[name]
            if "cost_center" in doc.values:
                cc = doc.values["cost_center"]
                vals["hc_cost_center_id"] = centers[cc].id if cc in centers else False
                if cc and cc not in centers:
                    missing.append(("cost centre", cc))
            deferred = None
            if "manager" in doc.values:
                ext = doc.values["manager"]
                if ext and ext not in managers and ext in state["employees"]:
                    deferred = ext  # hired in this batch: set after the employees
                else:
                    vals["manager_id"] = managers[ext].id if ext in managers else False
                    if ext and ext not in managers:
                        missing.append(("manager", ext))
            if missing:
                out[msg.id] = self._hc_unknown(msg, missing)
                continue
            if deferred:
                deferred_by_key[doc.key] = (msg, deferred)
            if doc.key in existing:
                pending.append((msg, doc, existing[doc.key], vals))
            else:
                to_create.append((msg, doc, {**vals, "hc_code": doc.key, "company_id": company.id}))
        created = Dept.create([v for _m, _d, v in to_create]) if to_create else Dept
        for (msg, doc, _vals), rec in zip(to_create, created, strict=True):
            existing[doc.key] = rec
            pending.append((msg, doc, rec, {}))
        for key, (msg, ext) in deferred_by_key.items():
            state["deferred"].append((msg, existing[key], ext))
        # parents once every department of the batch exists
        writes = []
        for msg, doc, rec, stated in pending:
            vals = stated
            if "parent" in doc.values:
                parent = doc.values["parent"]
                if parent and parent not in existing:
                    out[msg.id] = self._hc_unknown(msg, [("parent department", parent)])
                    continue
                vals = {**stated, "parent_id": existing[parent].id if parent else False}
            changed = {k: v for k, v in vals.items() if _value(rec[k]) != v}
            writes.append((rec, changed))
            out[msg.id] = {"result_model": "hr.department", "result_ids": rec.ids}
        if writes:
            _write_grouped(writes)
        return out

    # ------------------------------------------------------------------ employees
    def _hc_apply_employee(self, company, items, state=None):
        Employee = self.env["hr.employee"].with_context(active_test=False, tracking_disable=True)
        today = fields.Date.context_today(self)
        keys = {d.key for _m, d in items}
        existing = self._hc_employees(company, keys | ({d.values.get("manager") for _m, d in items} - {None}))
        depts = self._hc_departments(company, {d.values.get("department") for _m, d in items} - {None})
        centers = self._hc_cost_centers(company, {d.values.get("cost_center") for _m, d in items} - {None})
        role_codes = {d.values.get("role") for _m, d in items} - {None}
        roles = {}
        if role_codes:
            found = self.env["hc.workforce.role"].search(
                [("code", "in", list(role_codes)), ("company_id", "in", [company.id, False])]
            )
            roles = {r.code: r for r in found}
        out, to_create, pending = {}, [], []
        for msg, doc in items:
            leaver = doc.is_leaver(today)
            vals, missing = {"active": not leaver}, []
            for src, dst in (
                ("name", "name"),
                ("work_email", "work_email"),
                ("facility", "hc_facility"),
                ("start_date", "hc_start_date"),
                ("end_date", "hc_end_date"),
            ):
                if src in doc.values:
                    vals[dst] = doc.values[src] or False
            if "department" in doc.values:
                code = doc.values["department"]
                vals["department_id"] = depts[code].id if code in depts else False
                if code and code not in depts:
                    missing.append(("department", code))
            if "cost_center" in doc.values:
                code = doc.values["cost_center"]
                vals["hc_cost_center_id"] = centers[code].id if code in centers else False
                if code and code not in centers:
                    missing.append(("cost centre", code))
            if "role" in doc.values:
                code = doc.values["role"]
                vals["hc_role_id"] = roles[code].id if code in roles else False
                if code and code not in roles:
                    out[msg.id] = HcBusinessError(
                        "role_unknown",
                        f"Role '{code}' has no entry in Workforce > Roles.",
                        cause=f"role_unknown:{company.id}:{code}",
                        team_xmlid=TEAM,
                    )
                    continue
                if "job_title" not in doc.values and code in roles:
                    vals["job_title"] = roles[code].name
            if "job_title" in doc.values:
                vals["job_title"] = doc.values["job_title"] or False
            if missing:
                out[msg.id] = self._hc_unknown(msg, missing)
                continue
            if doc.key in existing:
                pending.append((msg, doc, existing[doc.key], vals))
            else:
                to_create.append((msg, doc, {**vals, "hc_external_id": doc.key, "company_id": company.id}))
        self._hc_users_for_hires(company, [v for _m, _d, v in to_create])
        created = Employee.create([v for _m, _d, v in to_create]) if to_create else Employee
        for (msg, doc, _vals), rec in zip(to_create, created, strict=True):
            existing[doc.key] = rec
            pending.append((msg, doc, rec, {}))
        # managers once every employee of the batch exists; then what changed, grouped
        writes, before = [], {}
        for msg, doc, rec, stated in pending:
            vals = stated
            if "manager" in doc.values:
                ext = doc.values["manager"]
                if ext and ext not in existing:  # looked up with the batch's employees above
                    out[msg.id] = self._hc_unknown(msg, [("manager", ext)])
                    continue
                vals = {**stated, "parent_id": existing[ext].id if ext else False}
            changed = {k: v for k, v in vals.items() if _value(rec[k]) != v}
            before[rec.id] = (rec.active, rec.hc_role_id, rec.parent_id)
            writes.append((rec, changed))
            out[msg.id] = {"result_model": "hr.employee", "result_ids": rec.ids}
        if writes:
            _write_grouped(writes)
        applied = Employee.browse([rec.id for rec, _v in writes])
        self._hc_sync_users(company, applied, before, {rec.id for rec in created})
        return out

    def _hc_unknown(self, msg, missing):
        what = ", ".join(f"{kind} '{code}'" for kind, code in missing)
        kind, code = missing[0]
        return HcBusinessError(
            "hr_reference_unknown",
            f"Not known in Odoo yet: {what}.",
            cause=f"hr_reference_unknown:{msg.endpoint_id.id}:{kind}:{code}",
            team_xmlid=TEAM,
        )

    # ------------------------------------------------------------------ users and rights
    def _hc_sync_users(self, company, employees, before, new_ids):
        """Hires get a user; every synchronised user holds exactly its role's groups; leavers lose all."""
        Users = self.env["res.users"].with_context(active_test=False, no_reset_password=True)
        managed = self.env["hc.workforce.role"]._managed_groups()
        group_user = self.env.ref("base.group_user")
        # an employee synchronised before without a user (no e-mail then, or rehired): rare, one by one
        for emp in employees.filtered(lambda e: e.active and not e.user_id and e.work_email):
            vals = {"name": emp.name, "work_email": emp.work_email, "active": True}
            self._hc_users_for_hires(company, [vals])
            if vals.get("user_id"):
                emp.user_id = vals["user_id"]
        # rights: one write per distinct (to remove, to add)
        grouped = defaultdict(list)
        leavers = {}
        for emp in employees.filtered("user_id"):
            user = emp.user_id
            if emp.active:
                wanted = emp.hc_role_id.group_ids if emp.hc_role_id else self.env["res.groups"]
                keep = (wanted | group_user).trans_implied_ids | wanted | group_user
                remove = (user.groups_id & (managed | managed.trans_implied_ids)) - keep
                add = wanted - user.groups_id
                if remove or add or not user.active:
                    grouped[(tuple(remove.ids), tuple(add.ids), True)].append(user.id)
            else:
                if user.active or (user.groups_id - group_user):
                    grouped[((), (), False)].append(user.id)
                was_active, _role, manager = before.get(emp.id, (True, None, emp.parent_id))
                if was_active or emp.id in new_ids:
                    leavers[user] = self._hc_manager_user(emp, manager)
        for (remove, add, active), user_ids in grouped.items():
            users = Users.browse(user_ids)
            if active:
                cmds = [Command.unlink(g) for g in remove] + [Command.link(g) for g in add]
                users.write({"groups_id": cmds, "active": True} if cmds else {"active": True})
            else:
                # a leaver keeps nothing: back to an internal user without any right, then archived
                users.write({"groups_id": [Command.set(group_user.ids)]})
                users.write({"active": False})
        if leavers:
            self.env["hr.employee"]._hc_reassign_pending({u: m for u, m in leavers.items() if m})

    def _hc_users_for_hires(self, company, vals_list):
        """Give each active hire with a work e-mail a user (``user_id`` in its vals): an existing
        user with that login that no other employee holds, else a new one, all created together,
        without password (single sign-on, or an invitation as the company configures)."""
        Users = self.env["res.users"].with_context(active_test=False, no_reset_password=True)
        hires = [v for v in vals_list if v.get("active") and v.get("work_email") and not v.get("user_id")]
        if not hires:
            return
        logins = {v["work_email"] for v in hires}
        by_login = {u.login: u for u in Users.search([("login", "in", list(logins))])}
        taken = (
            set(
                self.env["hr.employee"]
                .with_context(active_test=False)
                .search([("user_id", "in", [u.id for u in by_login.values()])])
                .user_id.ids
            )
            if by_login
            else set()
        )
        new_vals, new_for = [], []
        for vals in hires:
            user = by_login.get(vals["work_email"])
            if user and (company not in user.company_ids or user.share or user._is_superuser()):
                # a user of another company, a portal user or the superuser: this company's HR
                # feed does not take it over (rights, archiving); the hire gets no user
                continue
            if user and user.id not in taken:
                vals["user_id"] = user.id
                taken.add(user.id)
            elif not user and vals["work_email"] not in {v["login"] for v in new_vals}:
                new_vals.append(
                    {
                        "name": vals["name"],
                        "login": vals["work_email"],
                        "email": vals["work_email"],
                        "company_id": company.id,
                        "company_ids": [Command.set([company.id])],
                        "groups_id": [
                            Command.set(
                                (
                                    self.env.ref("base.group_user")
                                    | self.env["hc.workforce.role"].browse(vals.get("hc_role_id")).group_ids
                                ).ids
                            )
                        ],
                    }
                )
                new_for.append(vals)
        if new_vals:
            users = Users.create(new_vals)
            for vals, user in zip(new_for, users, strict=True):
                vals["user_id"] = user.id
            if company.hc_user_onboarding == "invite" and hasattr(users, "action_reset_password"):
                users.with_context(create_user=True).action_reset_password()

    def _hc_manager_user(self, employee, manager):
        """Who takes over a leaver's approvals: the manager, else up the department hierarchy."""
        if manager and manager.user_id and manager.user_id.active and manager.active:
            return manager.user_id
        dept = employee.department_id
        while dept:
            boss = dept.manager_id
            if boss and boss != employee and boss.active and boss.user_id.active:
                return boss.user_id
            dept = dept.parent_id
        return self.env["res.users"]


def _value(value):
    """A field's value as written: records as their id (False when empty)."""
    if isinstance(value, models.BaseModel):
        return value.id or False
    return value
