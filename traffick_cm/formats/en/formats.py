"""English formats, en-GB style: 12 March 2026, 12/03/2026, 14:30.

The *_FORMAT strings use Django's date format syntax; the *_INPUT_FORMATS Python's strptime.
Dates typed by hand (imports, filters without a date picker) are read day first, and the ISO
form that date pickers send is always accepted."""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday

DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # 2026-03-12, what <input type="date"> sends
    "%d/%m/%Y",  # 12/03/2026
    "%d/%m/%y",  # 12/03/26
]
TIME_INPUT_FORMATS = [
    "%H:%M:%S",  # 14:30:59
    "%H:%M:%S.%f",  # 14:30:59.000200
    "%H:%M",  # 14:30
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",  # 2026-03-12 14:30:59
    "%Y-%m-%d %H:%M:%S.%f",  # 2026-03-12 14:30:59.000200
    "%Y-%m-%d %H:%M",  # 2026-03-12 14:30
    "%d/%m/%Y %H:%M:%S",  # 12/03/2026 14:30:59
    "%d/%m/%Y %H:%M:%S.%f",  # 12/03/2026 14:30:59.000200
    "%d/%m/%Y %H:%M",  # 12/03/2026 14:30
    "%d/%m/%y %H:%M:%S",  # 12/03/26 14:30:59
    "%d/%m/%y %H:%M",  # 12/03/26 14:30
]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
