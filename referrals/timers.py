"""Timer handlers of the referral and dispatch clocks (registered with cases.timers.handler). h-core, h-hub."""
