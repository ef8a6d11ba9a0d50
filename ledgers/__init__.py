"""The bureau's supervision ledgers (issue 16): deputies' suggestions and CPPCC proposals (建议提案办理, this app,
label `ledgers`) and rectification items (整改台账, `ledgers.rectification`, label `rectification`).

The shared base lives here: the bureau's departments (BureauDepartment), who does what in a bureau (LedgerRole),
one append-only change log for both ledgers (LedgerEvent, written through ledgers.events.record), what a user may
see (ledgers.scoping) and the menu entries (ledgers.navigation)."""
