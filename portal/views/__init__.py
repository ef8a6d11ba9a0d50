"""The party portal (服务对象界面), one module per journey: public pages (public), sign-in by phone (auth), the guided
application (apply), a party's cases and the steps on them (case), the agreement (agreement), judicial confirmation
(judicial), joining as the other party (join), evidence files (evidence).

Reading: every case comes from cases.scoping (a case the user is not a party to is a 404). Writing: every change to
a case goes through cases.actions; what a party may do is what cases.permissions.available_actions offers. What the
pages do besides rendering lives in portal.services."""
