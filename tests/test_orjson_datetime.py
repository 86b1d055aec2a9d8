"""orjson-face dumps of datetime, date and time (RFC 3339), with every tzinfo kind and option.

Byte for byte against the real orjson. pytz, dateutil and pendulum are test dependencies
(tests/requirements.txt); a test needing one that is not importable skips.
"""

import datetime as dt
import random
import zoneinfo

import pytest

from orjson_face import check_dumps, dumps_err, dumps_ok, oracle

try:
    import pytz
except ImportError:
    pytz = None
try:
    from dateutil import tz as dateutil_tz
except ImportError:
    dateutil_tz = None
try:
    import pendulum
except ImportError:
    pendulum = None

O = oracle
DT_OPTIONS = [0, O.OPT_NAIVE_UTC, O.OPT_UTC_Z, O.OPT_OMIT_MICROSECONDS, O.OPT_NAIVE_UTC | O.OPT_UTC_Z,
              O.OPT_NAIVE_UTC | O.OPT_UTC_Z | O.OPT_OMIT_MICROSECONDS, O.OPT_PASSTHROUGH_DATETIME,
              O.OPT_NON_STR_KEYS | O.OPT_SORT_KEYS]
DT_OPTION_IDS = ["plain", "naive_utc", "utc_z", "omit_us", "naive_utc+z", "naive_utc+z+omit", "passthrough",
                 "nsk+sort"]


def tz(**kw):
    return dt.timezone(dt.timedelta(**kw))


def check_all_options(value):
    """value alone, in a list and as a key: the same outcome as orjson under every option."""
    for option in DT_OPTIONS:
        check_dumps(value, option=option)
        check_dumps([value, {"k": value}], option=option)
        check_dumps({value: 1}, option=option | O.OPT_NON_STR_KEYS)
        check_dumps(value, option=option, default=lambda o: "default:" + o.isoformat())


ZI = zoneinfo.ZoneInfo

DATETIMES = {
    "naive": dt.datetime(2020, 1, 2, 3, 4, 5),
    "naive us": dt.datetime(2020, 1, 2, 3, 4, 5, 123),
    "min": dt.datetime.min,
    "max": dt.datetime.max,
    "year 999": dt.datetime(999, 12, 31, 23, 59, 59, 1),
    "utc": dt.datetime(2020, 1, 2, tzinfo=dt.timezone.utc),
    "utc us": dt.datetime(2020, 1, 2, 0, 0, 0, 999999, tzinfo=dt.timezone.utc),
    "+05:30": dt.datetime(2020, 1, 2, tzinfo=tz(hours=5, minutes=30)),
    "-05:30": dt.datetime(2020, 1, 2, tzinfo=tz(hours=-5, minutes=-30)),
    "+23:59": dt.datetime(2020, 1, 2, tzinfo=tz(hours=23, minutes=59)),
    "-23:59": dt.datetime(2020, 1, 2, tzinfo=tz(hours=-23, minutes=-59)),
    # offsets with seconds: orjson rounds to the nearest minute (30 s up)
    "+00:00:05 -> +00:00": dt.datetime(2020, 1, 2, tzinfo=tz(seconds=5)),
    "+00:01:30 -> +00:02": dt.datetime(2020, 1, 2, tzinfo=tz(seconds=90)),
    "+00:59:29 -> +00:59": dt.datetime(2020, 1, 2, tzinfo=tz(seconds=3569)),
    "+05:21:10 -> +05:21": dt.datetime(2020, 1, 2, tzinfo=tz(hours=5, minutes=21, seconds=10)),
    "+00:19:32 -> +00:20": dt.datetime(2020, 1, 2, tzinfo=tz(minutes=19, seconds=32)),
    "-00:00:05 -> -00:00": dt.datetime(2020, 1, 2, tzinfo=tz(seconds=-5)),
    "-01:00:40 -> -01:01": dt.datetime(2020, 1, 2, tzinfo=tz(hours=-1, seconds=-40)),
    "+00:00:00.000005 (Z with UTC_Z)": dt.datetime(2020, 1, 2, tzinfo=tz(microseconds=5)),
    "zoneinfo UTC": dt.datetime(2020, 1, 2, tzinfo=ZI("UTC")),
    "zoneinfo New York summer": dt.datetime(2020, 6, 1, 12, tzinfo=ZI("America/New_York")),
    "zoneinfo New York winter us": dt.datetime(2020, 1, 1, 12, 0, 0, 5, tzinfo=ZI("America/New_York")),
    "zoneinfo fold=0": dt.datetime(2020, 11, 1, 1, 30, tzinfo=ZI("America/New_York")),
    "zoneinfo fold=1": dt.datetime(2020, 11, 1, 1, 30, fold=1, tzinfo=ZI("America/New_York")),
    "zoneinfo Kolkata": dt.datetime(2020, 1, 1, 12, tzinfo=ZI("Asia/Kolkata")),
    "zoneinfo Kolkata 1900 (+05:21:10)": dt.datetime(1900, 1, 1, 12, tzinfo=ZI("Asia/Kolkata")),
    "zoneinfo Amsterdam 1900 (+00:19:32)": dt.datetime(1900, 1, 1, 12, tzinfo=ZI("Europe/Amsterdam")),
    "zoneinfo Chatham": dt.datetime(2021, 7, 1, tzinfo=ZI("Pacific/Chatham")),
}


@pytest.mark.parametrize("value", DATETIMES.values(), ids=DATETIMES.keys())
def test_datetime(value):
    check_all_options(value)


def test_datetime_exact():
    assert dumps_ok(DATETIMES["naive"]) == b'"2020-01-02T03:04:05"'
    assert dumps_ok(DATETIMES["naive us"]) == b'"2020-01-02T03:04:05.000123"'
    assert dumps_ok(DATETIMES["naive us"], option=O.OPT_OMIT_MICROSECONDS) == b'"2020-01-02T03:04:05"'
    assert dumps_ok(DATETIMES["naive"], option=O.OPT_NAIVE_UTC) == b'"2020-01-02T03:04:05+00:00"'
    assert dumps_ok(DATETIMES["naive"], option=O.OPT_UTC_Z) == b'"2020-01-02T03:04:05"'
    assert dumps_ok(DATETIMES["naive"], option=O.OPT_NAIVE_UTC | O.OPT_UTC_Z) == b'"2020-01-02T03:04:05Z"'
    assert dumps_ok(DATETIMES["min"]) == b'"0001-01-01T00:00:00"'
    assert dumps_ok(DATETIMES["max"]) == b'"9999-12-31T23:59:59.999999"'
    assert dumps_ok(DATETIMES["utc"]) == b'"2020-01-02T00:00:00+00:00"'
    assert dumps_ok(DATETIMES["utc"], option=O.OPT_UTC_Z) == b'"2020-01-02T00:00:00Z"'
    assert dumps_ok(DATETIMES["-05:30"], option=O.OPT_UTC_Z) == b'"2020-01-02T00:00:00-05:30"'
    assert dumps_ok(DATETIMES["+00:01:30 -> +00:02"]) == b'"2020-01-02T00:00:00+00:02"'
    assert dumps_ok(DATETIMES["+00:00:05 -> +00:00"], option=O.OPT_UTC_Z) == b'"2020-01-02T00:00:00+00:00"'
    assert dumps_ok(DATETIMES["-00:00:05 -> -00:00"]) == b'"2020-01-02T00:00:00-00:00"'
    assert dumps_ok(DATETIMES["+00:00:00.000005 (Z with UTC_Z)"], option=O.OPT_UTC_Z) == b'"2020-01-02T00:00:00Z"'
    assert dumps_ok(DATETIMES["zoneinfo fold=1"]) == b'"2020-11-01T01:30:00-05:00"'
    assert dumps_ok(DATETIMES["zoneinfo Amsterdam 1900 (+00:19:32)"]) == b'"1900-01-01T12:00:00+00:20"'
    assert dumps_ok({DATETIMES["utc us"]: 1}, option=O.OPT_NON_STR_KEYS | O.OPT_UTC_Z | O.OPT_OMIT_MICROSECONDS) == \
        b'{"2020-01-02T00:00:00Z":1}'


def test_datetime_random():
    rng = random.Random(6)
    zones = [None, dt.timezone.utc, ZI("Europe/Paris"), ZI("Australia/Lord_Howe"), ZI("America/St_Johns")]
    values = []
    for _ in range(400):
        minutes, seconds = rng.randrange(-1439, 1440), rng.randrange(60)
        total = abs(minutes * 60 + seconds)
        if total // 60 % 60 == 59 and total % 60 >= 30:
            seconds = 0  # orjson writes "+HH:60" there (test_orjson_differences.py)
        zone = rng.choice(zones + [tz(minutes=minutes), tz(minutes=minutes, seconds=seconds)])
        values.append(dt.datetime(rng.randrange(1, 10000), rng.randrange(1, 13), rng.randrange(1, 29),
                                  rng.randrange(24), rng.randrange(60), rng.randrange(60),
                                  rng.choice([0, rng.randrange(1000000)]), tzinfo=zone, fold=rng.randrange(2)))
    for option in DT_OPTIONS:
        check_dumps(values, option=option)


def test_fixed_zones_in_runs_and_alternating():
    """Documents of naive, UTC and fixed-offset datetimes only (which the fast walk writes
    itself, finding each zone's offset once while the same zone repeats): zones in runs, in
    alternation and equal but distinct, every field value, every option."""
    rng = random.Random(11)
    zones = [None, dt.timezone.utc, tz(hours=2), tz(hours=-3, minutes=-30), tz(hours=2), tz(seconds=90),
             tz(hours=23, minutes=59), tz(hours=-23, minutes=-59)]
    values = []
    for k in range(600):
        zone = zones[k // 7 % len(zones)] if k < 300 else rng.choice(zones)
        values.append(dt.datetime(rng.randrange(1, 10000), rng.randrange(1, 13), rng.randrange(1, 29),
                                  rng.randrange(24), rng.randrange(60), rng.randrange(60),
                                  rng.choice([0, rng.randrange(1000000), rng.randrange(10)]), tzinfo=zone))
        values.append(dt.date(rng.randrange(1, 10000), rng.randrange(1, 13), rng.randrange(1, 29)))
        # (not 10000 to 99999 microseconds: test_orjson_differences.py)
        microsecond = rng.choice([0, rng.randrange(10000), rng.randrange(100000, 1000000)])
        values.append(dt.time(rng.randrange(24), rng.randrange(60), rng.randrange(60), microsecond))
    for option in DT_OPTIONS:
        check_dumps(values, option=option)
        check_dumps({"a": values, "b": [{"at": v} for v in values[::3]]}, option=option)


DATES = [dt.date(2020, 1, 2), dt.date.min, dt.date.max, dt.date(999, 9, 9)]


@pytest.mark.parametrize("value", DATES, ids=str)
def test_date(value):
    check_all_options(value)
    assert dumps_ok(value) == f'"{value.isoformat()}"'.encode()


TIMES = [dt.time(0, 0), dt.time(1, 2, 3, 456), dt.time(23, 59, 59, 999999), dt.time(12, 0, 0, 100000),
         dt.time(1, 2, fold=1)]


@pytest.mark.parametrize("value", TIMES, ids=str)
def test_time(value):
    check_all_options(value)
    assert dumps_ok(value) == f'"{value.isoformat()}"'.encode()
    assert dumps_ok(value, option=O.OPT_OMIT_MICROSECONDS) == f'"{value.replace(microsecond=0).isoformat()}"'.encode()


@pytest.mark.parametrize("value", [dt.time(1, tzinfo=dt.timezone.utc), dt.time(1, tzinfo=ZI("Europe/Paris"))], ids=str)
def test_time_with_tzinfo_errors(value):
    for option in DT_OPTIONS:
        if option & O.OPT_PASSTHROUGH_DATETIME:
            continue
        assert str(dumps_err(value, option=option)) == "datetime.time must not have tzinfo set"
        assert str(dumps_err({value: 1}, option=option | O.OPT_NON_STR_KEYS)) == "datetime.time must not have tzinfo set"
    # not passed to default (orjson raises before)
    dumps_err(value, default=lambda o: "x")
    # but with OPT_PASSTHROUGH_DATETIME it goes to default
    assert dumps_ok(value, option=O.OPT_PASSTHROUGH_DATETIME, default=lambda o: "x") == b'"x"'


def test_passthrough_datetime():
    for value in (dt.datetime(2020, 1, 1), dt.date(2020, 1, 1), dt.time(1)):
        exc = dumps_err(value, option=O.OPT_PASSTHROUGH_DATETIME)
        assert str(exc) == f"Type is not JSON serializable: datetime.{type(value).__name__}"
        assert dumps_ok([value], option=O.OPT_PASSTHROUGH_DATETIME, default=lambda o: o.isoformat() + "!") == \
            f'["{value.isoformat()}!"]'.encode()
    # keys are still formatted
    assert dumps_ok({dt.date(2020, 1, 1): 1}, option=O.OPT_PASSTHROUGH_DATETIME | O.OPT_NON_STR_KEYS) == \
        b'{"2020-01-01":1}'


class MyDatetime(dt.datetime):
    pass


class MyDate(dt.date):
    pass


class MyTzinfo(dt.tzinfo):
    def __init__(self, offset):
        self.offset = offset

    def utcoffset(self, d):
        return self.offset

    def dst(self, d):
        return None

    def tzname(self, d):
        return "X"


def test_datetime_subclasses_and_custom_tzinfo():
    assert str(dumps_err(MyDatetime(2020, 1, 1))) == "Type is not JSON serializable: MyDatetime"
    assert str(dumps_err(MyDate(2020, 1, 1))) == "Type is not JSON serializable: MyDate"
    assert str(dumps_err(dt.timedelta(1))) == "Type is not JSON serializable: datetime.timedelta"
    check_all_options(dt.datetime(2020, 1, 1, tzinfo=MyTzinfo(dt.timedelta(hours=1))))
    check_all_options(dt.datetime(2020, 1, 1, tzinfo=MyTzinfo(dt.timedelta(hours=-3, minutes=-7))))


# ---------------------------------------------------------------------------------------
# third-party tzinfo kinds

@pytest.mark.skipif(pytz is None, reason="pytz is not installed")
def test_pytz():
    ny = pytz.timezone("America/New_York")
    values = [ny.localize(dt.datetime(2020, 6, 1, 12)), ny.localize(dt.datetime(2020, 11, 1, 1, 30), is_dst=False),
              ny.localize(dt.datetime(2020, 11, 1, 1, 30), is_dst=True),
              dt.datetime(2020, 6, 1, 12, tzinfo=pytz.utc), dt.datetime(2020, 6, 1, 12, tzinfo=pytz.FixedOffset(330)),
              dt.datetime(2020, 6, 1, 12, tzinfo=pytz.FixedOffset(-90)),
              pytz.timezone("Europe/Amsterdam").localize(dt.datetime(1900, 6, 1, 12)),
              pytz.timezone("Asia/Kolkata").localize(dt.datetime(2020, 6, 1, 12, 0, 0, 7))]
    for value in values:
        check_all_options(value)
    assert dumps_ok(values[0]) == b'"2020-06-01T12:00:00-04:00"'
    assert dumps_ok(values[3], option=O.OPT_UTC_Z) == b'"2020-06-01T12:00:00Z"'


@pytest.mark.skipif(pytz is None, reason="pytz is not installed")
def test_pytz_tzinfo_given_directly():
    # A pytz zone given as tzinfo= (not localize()d) is at its first (LMT) offset; orjson
    # asks the zone to normalize() the datetime first and writes that offset, with the
    # original wall time (isoformat would write -04:56 and +05:53).
    ny = dt.datetime(2020, 6, 1, 12, tzinfo=pytz.timezone("America/New_York"))
    kolkata = dt.datetime(2020, 6, 1, 12, tzinfo=pytz.timezone("Asia/Kolkata"))
    check_all_options(ny)
    check_all_options(kolkata)
    assert dumps_ok([ny, kolkata]) == b'["2020-06-01T12:00:00-04:00","2020-06-01T12:00:00+05:30"]'


@pytest.mark.skipif(dateutil_tz is None, reason="python-dateutil is not installed")
def test_dateutil():
    values = [dt.datetime(2020, 6, 1, 12, tzinfo=dateutil_tz.gettz("America/New_York")),
              dt.datetime(2020, 11, 1, 1, 30, fold=1, tzinfo=dateutil_tz.gettz("America/New_York")),
              dt.datetime(2020, 6, 1, 12, tzinfo=dateutil_tz.UTC),
              dt.datetime(2020, 6, 1, 12, 0, 0, 1, tzinfo=dateutil_tz.tzutc()),
              dt.datetime(2020, 6, 1, 12, tzinfo=dateutil_tz.tzoffset("X", -3600 * 3 - 60 * 7)),
              dt.datetime(2020, 6, 1, 12, tzinfo=dateutil_tz.tzoffset("X", 45)),
              dt.datetime(2020, 6, 1, 12, tzinfo=dateutil_tz.tzlocal())]
    for value in values:
        check_all_options(value)
    assert dumps_ok(values[2], option=O.OPT_UTC_Z) == b'"2020-06-01T12:00:00Z"'
    assert dumps_ok(values[4]) == b'"2020-06-01T12:00:00-03:07"'


@pytest.mark.skipif(pendulum is None, reason="pendulum is not installed")
def test_pendulum_timezones_on_datetime():
    values = [dt.datetime(2020, 6, 1, 12, tzinfo=pendulum.timezone("America/New_York")),
              dt.datetime(1900, 6, 1, 12, tzinfo=pendulum.timezone("Europe/Amsterdam")),
              dt.datetime(2020, 6, 1, 12, tzinfo=pendulum.timezone("UTC")),
              dt.datetime(2020, 6, 1, 12, tzinfo=pendulum.FixedTimezone(-5400))]
    for value in values:
        check_all_options(value)
    assert dumps_ok(values[3]) == b'"2020-06-01T12:00:00-01:30"'


@pytest.mark.skipif(pendulum is None, reason="pendulum is not installed")
def test_pendulum_own_types_are_subclasses_not_serialized():
    for value in (pendulum.datetime(2020, 6, 1, 12, tz="Asia/Tokyo"), pendulum.naive(2020, 6, 1),
                  pendulum.date(2020, 6, 1), pendulum.time(1, 2, 3), pendulum.duration(days=1)):
        exc = dumps_err(value)
        assert str(exc) == f"Type is not JSON serializable: {type(value).__name__}"
        check_dumps(value, default=lambda o: o.isoformat() if hasattr(o, "isoformat") else str(o))
        check_dumps({value: 1}, option=O.OPT_NON_STR_KEYS)
