"""The ledgers' one door: every change to a ledger item goes through a `do_*` function here, in a transaction, and
writes a LedgerEvent."""
