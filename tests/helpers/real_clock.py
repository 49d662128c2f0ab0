"""Today and the full months before it on the real clock, for the tests through the web app and
the job commands: their sessions run on the real clock, so those tests bill the last full month,
issued today.

    from helpers.real_clock import real
    real.today                         date.today()
    real.last, real.last_end           the last full month: its first and last day
    real.before, real.before_end       the month before it

Every attribute is computed when it is read, so a test reads the day it runs on. Never copy one
into a module-level constant (or a default argument, or a parametrize list): that is evaluated
when pytest imports the module, and a run that crosses midnight then bills with yesterday.
"""
import datetime as dt


class RealClock:
    @property
    def today(self):
        return dt.date.today()

    @property
    def last_end(self):
        return self.today.replace(day=1) - dt.timedelta(days=1)

    @property
    def last(self):
        return self.last_end.replace(day=1)

    @property
    def before_end(self):
        return self.last - dt.timedelta(days=1)

    @property
    def before(self):
        return self.before_end.replace(day=1)


real = RealClock()
