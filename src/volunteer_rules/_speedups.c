/*
 * volunteer_rules._speedups: optional compiled helpers for parse_record's fast path.
 *
 * The package works without this module (it is built when a C compiler is at hand, and
 * skipped otherwise). A function here only ever *vouches* for a canonical payload; when it
 * cannot (anything unusual), it returns None and parse_record's Python code decides, as it
 * does when the module is missing. The tests check that parse_record gives the same result
 * (or the same errors) with and without it, on canonical and broken payloads alike.
 *
 * moments(recorded_text, start_text, end_text, day_text, minutes)
 *     The date-times of a record in canonical form (YYYY-MM-DDTHH:MM:SS+HH:MM, ASCII), as
 *     (recorded_at, start, end), or None. It vouches when:
 *       - recorded_text is canonical, its year below 3000;
 *       - either start_text and end_text are both None and recorded_at's local date is not
 *         before day_text, or both are canonical, in recorded_text's offset, start's local
 *         date is day_text, start < end <= recorded_at, and end - start holds `minutes`.
 *     The date-times are what datetime.fromisoformat gives for the same text (equal values,
 *     the same offsets); their tzinfo objects are shared, one per offset.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <datetime.h>
#include <string.h>

#define MAX_OFFSET 1439 /* minutes: +-23:59 */

static PyObject *zones[2 * MAX_OFFSET + 1]; /* timezone objects by offset + MAX_OFFSET */

typedef struct {
    int year, month, day, hour, minute, second, offset;
} Moment;

static const int month_days[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

static int
is_leap(int year)
{
    return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

/* Days since 0001-01-01 (proleptic Gregorian), as date.toordinal() - 1. */
static long
day_number(int year, int month, int day)
{
    static const int before[13] = {0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    long y = year - 1;
    long n = y * 365 + y / 4 - y / 100 + y / 400 + before[month] + day - 1;
    if (month > 2 && is_leap(year)) {
        n += 1;
    }
    return n;
}

static int
two(const Py_UCS1 *s)
{
    return (s[0] - '0') * 10 + (s[1] - '0');
}

/* The ASCII characters of an exact str of `length` characters, or NULL. */
static const Py_UCS1 *
ascii_of(PyObject *text, Py_ssize_t length)
{
    if (!PyUnicode_CheckExact(text) || !PyUnicode_IS_COMPACT_ASCII(text) ||
        PyUnicode_GET_LENGTH(text) != length) {
        return NULL;
    }
    return PyUnicode_1BYTE_DATA(text);
}

/* Read a canonical date-time; 1 when it is one (all fields in range), else 0. */
static int
read_moment(PyObject *text, const Py_UCS1 **chars, Moment *m)
{
    static const int digits[] = {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 23, 24};
    const Py_UCS1 *s = ascii_of(text, 25);
    size_t i;
    int hours, minutes, days;
    if (s == NULL) {
        return 0;
    }
    if (s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
        (s[19] != '+' && s[19] != '-') || s[22] != ':') {
        return 0;
    }
    for (i = 0; i < sizeof(digits) / sizeof(digits[0]); i++) {
        if (s[digits[i]] < '0' || s[digits[i]] > '9') {
            return 0;
        }
    }
    m->year = two(s) * 100 + two(s + 2);
    m->month = two(s + 5);
    m->day = two(s + 8);
    m->hour = two(s + 11);
    m->minute = two(s + 14);
    m->second = two(s + 17);
    hours = two(s + 20);
    minutes = two(s + 23);
    if (m->year < 1 || m->month < 1 || m->month > 12 || m->day < 1) {
        return 0;
    }
    days = month_days[m->month] + (m->month == 2 && is_leap(m->year));
    if (m->day > days || m->hour > 23 || m->minute > 59 || m->second > 59 || hours > 23 ||
        minutes > 59) {
        return 0;
    }
    m->offset = (hours * 60 + minutes) * (s[19] == '-' ? -1 : 1);
    *chars = s;
    return 1;
}

/* A new reference to the datetime of `m`, or NULL with an exception set. */
static PyObject *
make_datetime(const Moment *m)
{
    PyObject *zone = zones[m->offset + MAX_OFFSET];
    if (zone == NULL) {
        PyObject *delta = PyDelta_FromDSU(0, m->offset * 60, 0);
        if (delta == NULL) {
            return NULL;
        }
        zone = PyTimeZone_FromOffset(delta);
        Py_DECREF(delta);
        if (zone == NULL) {
            return NULL;
        }
        zones[m->offset + MAX_OFFSET] = zone; /* kept for the life of the process */
    }
    return PyDateTimeAPI->DateTime_FromDateAndTime(m->year, m->month, m->day, m->hour,
                                                   m->minute, m->second, 0, zone,
                                                   PyDateTimeAPI->DateTimeType);
}

/* A tuple of three new references (stolen, released on failure). */
static PyObject *
triple(PyObject *a, PyObject *b, PyObject *c)
{
    PyObject *t = PyTuple_New(3);
    if (t == NULL) {
        Py_DECREF(a);
        Py_DECREF(b);
        Py_DECREF(c);
        return NULL;
    }
    PyTuple_SET_ITEM(t, 0, a);
    PyTuple_SET_ITEM(t, 1, b);
    PyTuple_SET_ITEM(t, 2, c);
    return t;
}

static PyObject *
moments(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    const Py_UCS1 *rs, *ss, *es, *ds;
    Moment recorded, start, end;
    long minutes;
    long long elapsed;
    PyObject *a, *b, *c;
    (void)module;
    if (nargs != 5) {
        PyErr_SetString(PyExc_TypeError, "moments() takes exactly 5 arguments");
        return NULL;
    }
    if (!read_moment(args[0], &rs, &recorded) || recorded.year >= 3000) {
        Py_RETURN_NONE;
    }
    ds = ascii_of(args[3], 10);
    if (ds == NULL) {
        Py_RETURN_NONE;
    }
    if (args[1] == Py_None && args[2] == Py_None) {
        if (memcmp(rs, ds, 10) < 0) {
            Py_RETURN_NONE;
        }
        a = make_datetime(&recorded);
        if (a == NULL) {
            return NULL;
        }
        return triple(a, Py_NewRef(Py_None), Py_NewRef(Py_None));
    }
    if (!read_moment(args[1], &ss, &start) || !read_moment(args[2], &es, &end)) {
        Py_RETURN_NONE;
    }
    /* One offset: text order is time order, and the local date is the first ten characters. */
    if (memcmp(ss + 19, rs + 19, 6) != 0 || memcmp(es + 19, rs + 19, 6) != 0 ||
        memcmp(ss, ds, 10) != 0 || memcmp(ss, es, 25) >= 0 || memcmp(es, rs, 25) > 0) {
        Py_RETURN_NONE;
    }
    if (!PyLong_CheckExact(args[4])) {
        Py_RETURN_NONE;
    }
    minutes = PyLong_AsLong(args[4]);
    if (minutes == -1 && PyErr_Occurred()) {
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    elapsed = (long long)(day_number(end.year, end.month, end.day) -
                          day_number(start.year, start.month, start.day)) * 86400 +
              (end.hour - start.hour) * 3600 + (end.minute - start.minute) * 60 +
              (end.second - start.second);
    if (elapsed < (long long)minutes * 60) {
        Py_RETURN_NONE;
    }
    a = make_datetime(&recorded);
    if (a == NULL) {
        return NULL;
    }
    b = make_datetime(&start);
    if (b == NULL) {
        Py_DECREF(a);
        return NULL;
    }
    c = make_datetime(&end);
    if (c == NULL) {
        Py_DECREF(a);
        Py_DECREF(b);
        return NULL;
    }
    return triple(a, b, c);
}

static PyMethodDef methods[] = {
    {"moments", (PyCFunction)(void (*)(void))moments, METH_FASTCALL,
     "moments(recorded_text, start_text, end_text, day_text, minutes)\n--\n\n"
     "A canonical record's date-times (recorded_at, start, end), or None."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    "volunteer_rules._speedups",
    "Optional compiled helpers for parse_record's fast path.",
    -1,
    methods,
    NULL,
    NULL,
    NULL,
    NULL,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    PyDateTime_IMPORT;
    if (PyDateTimeAPI == NULL) {
        return NULL;
    }
    return PyModule_Create(&module_def);
}
