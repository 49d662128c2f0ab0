"""Back-office pages, one module per area: customers, accounts, readings, payments,
billing_runs, tariffs, whatif (the tariff what-if), reports, audit; `common` holds what they share (ProcedureFormMixin,
ObjectFormView). The portal app's back-office pages (a customer's portal login, card charges to
reconcile) are in portal.staff and portal.reconcile.

Rules for every view: the form checks the input's shape only; every change is one procedure
through billing.services; a refusal (BillingError) is shown next to the field the server's
message names, keeping the user's input; reads go through billing.selectors; each view declares
the roles it needs (billing/roles.py)."""
