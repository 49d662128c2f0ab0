"""Dates typed into a form are read as ISO days (YYYY-MM-DD) only.

Django's "en" locale also reads 01/12/2026 as month/day/year: a clerk who means 1 December got
12 January (an account opened, a discount backdated eleven months). The pages show days as
"1 Dec 2026" (billing.formatting) and the browsers' date pickers send YYYY-MM-DD, so nothing
else is needed; Django adds the ISO formats to any list by itself. Every other format comes
from Django's own "en" module (get_format reads the first module that defines a name).
"""
DATE_INPUT_FORMATS = ["%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M",
                          "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"]
