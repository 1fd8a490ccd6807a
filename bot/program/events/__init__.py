"""Events: recurring series in their own timezone (`series`, `recurrence`), moderators' changes and
RSVPs (`service`), office-hours bookings (`office_hours`), the calendar feeds (`calendar`), the
typed messages (`messages`) and the sweep's due-finders for event and booking reminders
(`reminders`)."""
