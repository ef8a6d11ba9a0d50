"""What the portal's pages do besides rendering: the application draft and its steps, evidence uploads, the party
account of a phone number, the invitation look-up, the judicial-confirmation page's state. Views stay thin; every
change of a case goes through cases.actions."""
