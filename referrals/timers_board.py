"""Timer handler of the supervision thresholds (REFERRAL_STAGE_ALERT: yellow and red cards). h-board."""
