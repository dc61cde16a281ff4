/*
 * volunteer_rules._speedups: optional compiled helpers for parse_record's fast path and
 * count_many's bulk pass.
 *
 * The package works without this module (it is built when a C compiler is at hand, and
 * skipped otherwise). moments and count_pass only ever *vouch* for plain input; when they
 * cannot (anything unusual), they return None and the Python code decides, as it does when the
 * module is missing. The tests check that parse_record and count_many give the same results
 * (or the same errors) with and without it; instances() is plain construction.
 *
 * count_pass and instances are described where they are defined, below.
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
#include <structmember.h>

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

/* ------------------------------------------------------------------------------------------
 * count_pass: the bulk counting pass of count_many, for plain input.
 *
 * count_pass(records, record_type, hours_type, as_of, since, need_first)
 *     records: a list or tuple of ServiceRecord (exact type); as_of, since: dates (since may be
 *     None). Returns None when it cannot vouch (an item of another type, a value of an
 *     unexpected type, two records with one key (organization_id, record_id), intervals in more
 *     than one offset or in a zone that is not a fixed offset): the Python pass then does the
 *     work. Otherwise (names, totals, first, slow, unsure, excluded, amendments, targets, heads,
 *     chain, numbers, several):
 *       names       volunteer ids in order of first appearance (volunteer k is names[k]);
 *       totals      minutes of each volunteer's counting records (not excluded by a per-record
 *                   rule: after_as_of, outside_window, not_verified);
 *       first       each volunteer's first counting date (an ordinal, 1 << 30 for none), or
 *                   None when need_first is false;
 *       slow        volunteers the engine must count: two counting records on one date, a
 *                   record longer than the daily cap, or half an interval;
 *       unsure      volunteers with a counting interval that is not within its own date;
 *       excluded    {volunteer_id: exclusions} for the volunteers with records a per-record
 *                   rule excludes: ((record_id, reason),) for one, a list of
 *                   (record, (record_id, reason)) pairs for several;
 *       amendments  positions of the records that amend another;
 *       targets     the record each amendment names (its organization's, by record_id),
 *                   or None;
 *       heads, chain  each volunteer's records, linked: bytes of native 64-bit integers
 *                   (memoryview(...).cast("q")); heads[k] is the last position of
 *                   volunteer k, chain[i] the one before position i, -1 at the end;
 *       numbers     {volunteer_id: k};
 *       several     the volunteers whose exclusions are a list.
 *     The Python side settles amendments, the unsure and the slow volunteers as its own pass
 *     does.
 */

#define NEVER (1 << 30)
#define AHEAD 8

#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(address) __builtin_prefetch((const void *)(address))
#else
#define PREFETCH(address) ((void)0)
#endif
#define DAILY_CAP 1440

typedef struct {
    Py_ssize_t rid, org, vol, status, date, start, end, amends, service, recorded_at;
} Offsets;

static Py_ssize_t
slot_offset(PyTypeObject *type, const char *name)
{
    Py_ssize_t offset = -1;
    PyObject *descr = PyObject_GetAttrString((PyObject *)type, name);
    if (descr == NULL) {
        PyErr_Clear();
        return -1;
    }
    if (Py_IS_TYPE(descr, &PyMemberDescr_Type)) {
        PyMemberDef *member = ((PyMemberDescrObject *)descr)->d_member;
        if (member->type == T_OBJECT_EX || member->type == T_OBJECT) {
            offset = member->offset;
        }
    }
    Py_DECREF(descr);
    return offset;
}

static PyObject *
slot(PyObject *object, Py_ssize_t offset)
{
    return *(PyObject **)((char *)object + offset);
}

/* year, month and day packed so that packed order is date order */
static long
packed(PyObject *date)
{
    return ((long)PyDateTime_GET_YEAR(date) << 9) | (PyDateTime_GET_MONTH(date) << 5) |
           PyDateTime_GET_DAY(date);
}

typedef struct {
    unsigned long long *keys; /* 0 is empty; keys are stored plus one */
    size_t mask;
} KeySet;

/* 1 if key was present, 0 if added */
static int
keyset_add(KeySet *set, unsigned long long key)
{
    size_t i;
    key += 1;
    i = (size_t)((key * 0x9E3779B97F4A7C15ULL) >> 17) & set->mask;
    while (set->keys[i] != 0) {
        if (set->keys[i] == key) {
            return 1;
        }
        i = (i + 1) & set->mask;
    }
    set->keys[i] = key;
    return 0;
}

/* Record keys (organization_id, record_id): an open-addressing table of (hash, organization,
 * id, record), sized once for all records. */
typedef struct {
    Py_hash_t hash;
    PyObject *org;    /* borrowed: the records are alive for the whole pass */
    PyObject *id;     /* borrowed */
    PyObject *record; /* borrowed */
} KeyEntry;

typedef struct {
    KeyEntry *entries;
    size_t mask;
} KeyTable;

static Py_hash_t
key_hash(Py_hash_t org_hash, Py_hash_t id_hash)
{
    return (Py_hash_t)((Py_uhash_t)id_hash * 1000003UL ^ (Py_uhash_t)org_hash);
}

static size_t
key_slot(const KeyTable *table, Py_hash_t hash)
{
    return (size_t)(((unsigned long long)hash * 0x9E3779B97F4A7C15ULL) >> 20) & table->mask;
}

static int
same_text(PyObject *a, PyObject *b)
{
    return a == b || PyUnicode_Compare(a, b) == 0;
}

/* The entry of a key (hash given), or the empty entry where it would go. */
static KeyEntry *
key_entry(const KeyTable *table, Py_hash_t hash, PyObject *org, PyObject *id)
{
    size_t i = key_slot(table, hash);
    while (table->entries[i].id != NULL) {
        KeyEntry *entry = &table->entries[i];
        if (entry->hash == hash && same_text(entry->id, id) && same_text(entry->org, org)) {
            return entry;
        }
        i = (i + 1) & table->mask;
    }
    return &table->entries[i];
}

/* 1 if the key is new (added), 0 if it was there already, -1 on error */
static int
key_add(KeyTable *table, PyObject *org, PyObject *id, PyObject *record)
{
    Py_hash_t org_hash = PyObject_Hash(org), id_hash, hash;
    KeyEntry *entry;
    if (org_hash == -1 || (id_hash = PyObject_Hash(id)) == -1) {
        return -1;
    }
    hash = key_hash(org_hash, id_hash);
    entry = key_entry(table, hash, org, id);
    if (entry->id != NULL) {
        return 0;
    }
    entry->hash = hash;
    entry->org = org;
    entry->id = id;
    entry->record = record;
    return 1;
}

/* the record of a key (borrowed), or NULL */
static PyObject *
key_find(const KeyTable *table, PyObject *org, PyObject *id)
{
    Py_hash_t org_hash = PyObject_Hash(org), id_hash;
    if (org_hash == -1 || (id_hash = PyObject_Hash(id)) == -1) {
        PyErr_Clear();
        return NULL;
    }
    return key_entry(table, key_hash(org_hash, id_hash), org, id)->record;
}

/* Volunteer ids: an open-addressing table of (hash, id, number), grown by doubling. The ids are
 * the first record's, held by the names list. */
typedef struct {
    Py_hash_t hash;
    PyObject *name;
    Py_ssize_t k;
} NameEntry;

typedef struct {
    NameEntry *entries;
    size_t mask;
    Py_ssize_t used;
} NameTable;

static NameEntry *
name_entry(const NameTable *table, Py_hash_t hash, PyObject *name)
{
    size_t i = (size_t)(((unsigned long long)hash * 0x9E3779B97F4A7C15ULL) >> 20) & table->mask;
    while (table->entries[i].name != NULL) {
        NameEntry *entry = &table->entries[i];
        if (entry->hash == hash && same_text(entry->name, name)) {
            return entry;
        }
        i = (i + 1) & table->mask;
    }
    return &table->entries[i];
}

/* Double the table (or make its first 1024 entries); -1 when out of memory. */
static int
names_grow(NameTable *table)
{
    size_t capacity = table->entries == NULL ? 1024 : (table->mask + 1) * 2, i;
    NameTable grown = {PyMem_Calloc(capacity, sizeof(NameEntry)), capacity - 1, table->used};
    if (grown.entries == NULL) {
        return -1;
    }
    if (table->entries != NULL) {
        for (i = 0; i <= table->mask; i++) {
            if (table->entries[i].name != NULL) {
                *name_entry(&grown, table->entries[i].hash, table->entries[i].name) =
                    table->entries[i];
            }
        }
        PyMem_Free(table->entries);
    }
    *table = grown;
    return 0;
}

#define INLINE_DATES 9 /* 64 bytes a volunteer */

/* One volunteer: 64 bytes, one cache line. The dates of the counting records are kept here
 * while they are few; past INLINE_DATES they go to the shared key set. */
typedef struct {
    long long total;
    long long head; /* the last position of the volunteer's records, -1 for none */
    int first;
    unsigned char flags; /* 1: slow, 2: unsure, 4: dates in the key set */
    unsigned char count;
    int dates[INLINE_DATES];
} Volunteer;

typedef struct {
    Volunteer *items;
    Py_ssize_t size, capacity;
} Volunteers;

static int
volunteers_grow(Volunteers *v)
{
    Py_ssize_t capacity = v->capacity ? v->capacity * 2 : 1024;
    Volunteer *items = PyMem_Realloc(v->items, capacity * sizeof(Volunteer));
    if (items == NULL) {
        return -1;
    }
    v->items = items;
    v->capacity = capacity;
    return 0;
}

static unsigned long long
date_key(Py_ssize_t k, long day)
{
    return ((unsigned long long)k << 32) | (unsigned long long)day;
}

/* 1 if volunteer k already has a counting record on `day`, else 0 (and now it has) */
static int
seen_date(Volunteer *v, Py_ssize_t k, long day, KeySet *keys)
{
    int j;
    if (!(v->flags & 4)) {
        for (j = 0; j < v->count; j++) {
            if (v->dates[j] == day) {
                return 1;
            }
        }
        if (v->count < INLINE_DATES) {
            v->dates[v->count++] = (int)day;
            return 0;
        }
        for (j = 0; j < v->count; j++) {
            keyset_add(keys, date_key(k, v->dates[j]));
        }
        v->flags |= 4;
    }
    return keyset_add(keys, date_key(k, day));
}

static int
same_zone(PyObject *zone, PyObject **first_zone)
{
    int equal;
    if (zone == *first_zone) {
        return 1;
    }
    if (!Py_IS_TYPE(zone, Py_TYPE(PyDateTime_TimeZone_UTC))) {
        return 0;
    }
    if (*first_zone == NULL) {
        *first_zone = zone;
        return 1;
    }
    equal = PyObject_RichCompareBool(zone, *first_zone, Py_EQ);
    if (equal < 0) {
        PyErr_Clear();
        return 0;
    }
    return equal;
}

/* start < end, both aware date-times in one fixed offset: compare the local fields */
static int
before(PyObject *a, PyObject *b)
{
    long da = packed(a), db = packed(b);
    long ta, tb;
    if (da != db) {
        return da < db;
    }
    ta = ((PyDateTime_DATE_GET_HOUR(a) * 60L + PyDateTime_DATE_GET_MINUTE(a)) * 60 +
          PyDateTime_DATE_GET_SECOND(a));
    tb = ((PyDateTime_DATE_GET_HOUR(b) * 60L + PyDateTime_DATE_GET_MINUTE(b)) * 60 +
          PyDateTime_DATE_GET_SECOND(b));
    if (ta != tb) {
        return ta < tb;
    }
    return PyDateTime_DATE_GET_MICROSECOND(a) < PyDateTime_DATE_GET_MICROSECOND(b);
}

static PyObject *
index_list(const Volunteers *vols, unsigned char flag)
{
    Py_ssize_t k;
    PyObject *out = PyList_New(0);
    if (out == NULL) {
        return NULL;
    }
    for (k = 0; k < vols->size; k++) {
        if (vols->items[k].flags & flag) {
            PyObject *number = PyLong_FromSsize_t(k);
            if (number == NULL || PyList_Append(out, number) < 0) {
                Py_XDECREF(number);
                Py_DECREF(out);
                return NULL;
            }
            Py_DECREF(number);
        }
    }
    return out;
}

static int
append_position(PyObject *list, Py_ssize_t position)
{
    int result;
    PyObject *number = PyLong_FromSsize_t(position);
    if (number == NULL) {
        return -1;
    }
    result = PyList_Append(list, number);
    Py_DECREF(number);
    return result;
}

static PyObject *
count_pass(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *seq, *index = NULL, *names = NULL, *targets = NULL;
    PyObject *excluded = NULL, *several = NULL;
    PyObject *amendments = NULL, *result = NULL;
    PyObject *verified = NULL, *first_zone = NULL;
    PyObject **items;
    PyTypeObject *record_type, *hours_type;
    Offsets off;
    Py_ssize_t minutes_offset, n, i, k;
    long as_of, since = -1;
    int need_first, declined = 0, gc_was_enabled;
    KeySet keys = {NULL, 0};
    KeyTable ids = {NULL, 0};
    NameTable people = {NULL, 0, 0};
    Volunteers vols = {NULL, 0, 0};
    PyObject *reasons[3] = {NULL, NULL, NULL};
    long long *chain = NULL;
    size_t capacity;
    (void)module;

    if (nargs != 6) {
        PyErr_SetString(PyExc_TypeError, "count_pass() takes exactly 6 arguments");
        return NULL;
    }
    seq = args[0];
    if (!PyType_Check(args[1]) || !PyType_Check(args[2]) || !PyDate_Check(args[3]) ||
        (args[4] != Py_None && !PyDate_Check(args[4]))) {
        PyErr_SetString(PyExc_TypeError, "count_pass(): wrong argument types");
        return NULL;
    }
    if (!PyList_CheckExact(seq) && !PyTuple_CheckExact(seq)) {
        Py_RETURN_NONE;
    }
    record_type = (PyTypeObject *)args[1];
    hours_type = (PyTypeObject *)args[2];
    as_of = packed(args[3]);
    if (args[4] != Py_None) {
        since = packed(args[4]);
    }
    need_first = PyObject_IsTrue(args[5]);
    if (need_first < 0) {
        return NULL;
    }
    off.rid = slot_offset(record_type, "record_id");
    off.org = slot_offset(record_type, "organization_id");
    off.vol = slot_offset(record_type, "volunteer_id");
    off.status = slot_offset(record_type, "status");
    off.date = slot_offset(record_type, "date");
    off.start = slot_offset(record_type, "start");
    off.end = slot_offset(record_type, "end");
    off.amends = slot_offset(record_type, "amends");
    off.service = slot_offset(record_type, "service");
    off.recorded_at = slot_offset(record_type, "recorded_at");
    minutes_offset = slot_offset(hours_type, "_minutes");
    if (off.rid < 0 || off.org < 0 || off.vol < 0 || off.status < 0 || off.date < 0 ||
        off.start < 0 || off.end < 0 || off.amends < 0 || off.service < 0 ||
        off.recorded_at < 0 || minutes_offset < 0) {
        Py_RETURN_NONE;
    }

    /* The items are read in place, borrowed: the collector is paused for the whole pass, and
     * nothing else here runs Python code (str hashes and comparisons, dicts keyed by str,
     * timezone comparisons), so nothing can change the list or free a record meanwhile. */
    gc_was_enabled = PyGC_Disable();
    n = PySequence_Fast_GET_SIZE(seq);
    items = PySequence_Fast_ITEMS(seq);
    capacity = 16;
    while (capacity < (size_t)n * 2) {
        capacity <<= 1;
    }
    keys.keys = PyMem_Calloc(capacity, sizeof(unsigned long long));
    keys.mask = capacity - 1;
    chain = PyMem_Malloc((n ? n : 1) * sizeof(long long));
    index = PyDict_New();
    names = PyList_New(0);
    ids.entries = PyMem_Calloc(capacity, sizeof(KeyEntry));
    ids.mask = capacity - 1;
    excluded = PyDict_New();
    several = PyList_New(0);
    amendments = PyList_New(0);
    verified = PyUnicode_InternFromString("verified");
    reasons[0] = PyUnicode_InternFromString("after_as_of");
    reasons[1] = PyUnicode_InternFromString("outside_window");
    reasons[2] = PyUnicode_InternFromString("not_verified");
    if (keys.keys == NULL || chain == NULL || index == NULL || names == NULL ||
        ids.entries == NULL || excluded == NULL || several == NULL || amendments == NULL ||
        verified == NULL || reasons[0] == NULL || reasons[1] == NULL || reasons[2] == NULL) {
        if (keys.keys == NULL || chain == NULL || ids.entries == NULL) {
            PyErr_NoMemory();
        }
        goto error;
    }

    for (i = 0; i < n; i++) {
        PyObject *record = items[i];
        PyObject *vid, *status, *date, *at, *start, *end, *service, *minutes_object, *rid, *org;
        Volunteer *volunteer;
        long day, minutes;
        int reason, is_verified;
        /* The records are scattered in memory: ask for the next ones early (their objects
         * first, then the values they point to), so that the waits overlap. */
        if (i + 2 * AHEAD < n) {
            PREFETCH(items[i + 2 * AHEAD]);
            PREFETCH((char *)items[i + 2 * AHEAD] + 64);
            PREFETCH((char *)items[i + 2 * AHEAD] + 128);
        }
        if (i + AHEAD / 2 < n && Py_IS_TYPE(items[i + AHEAD / 2], record_type)) {
            PyObject *soon = slot(items[i + AHEAD / 2], off.rid);
            PyObject *soon_org = slot(items[i + AHEAD / 2], off.org);
            if (soon != NULL && soon_org != NULL && PyUnicode_CheckExact(soon) &&
                PyUnicode_CheckExact(soon_org) && ((PyASCIIObject *)soon)->hash != -1 &&
                ((PyASCIIObject *)soon_org)->hash != -1) {
                PREFETCH(&ids.entries[key_slot(
                    &ids, key_hash(((PyASCIIObject *)soon_org)->hash,
                                   ((PyASCIIObject *)soon)->hash))]);
            }
        }
        if (i + AHEAD < n && Py_IS_TYPE(items[i + AHEAD], record_type)) {
            PyObject *next = items[i + AHEAD];
            PREFETCH(slot(next, off.vol));
            PREFETCH(slot(next, off.rid));
            PREFETCH(slot(next, off.recorded_at));
            PREFETCH(slot(next, off.start));
            PREFETCH(slot(next, off.end));
        }
        if (!Py_IS_TYPE(record, record_type)) {
            declined = 1;
            break;
        }
        vid = slot(record, off.vol);
        status = slot(record, off.status);
        date = slot(record, off.date);
        at = slot(record, off.recorded_at);
        start = slot(record, off.start);
        end = slot(record, off.end);
        service = slot(record, off.service);
        rid = slot(record, off.rid);
        org = slot(record, off.org);
        if (vid == NULL || !PyUnicode_CheckExact(vid) || status == NULL ||
            !PyUnicode_CheckExact(status) || date == NULL || !PyDate_CheckExact(date) ||
            at == NULL || !PyDateTime_CheckExact(at) || start == NULL || end == NULL ||
            service == NULL || !Py_IS_TYPE(service, hours_type) || rid == NULL ||
            !PyUnicode_CheckExact(rid) || org == NULL || !PyUnicode_CheckExact(org) ||
            slot(record, off.amends) == NULL) {
            declined = 1;
            break;
        }
        minutes_object = slot(service, minutes_offset);
        if (minutes_object == NULL || !PyLong_CheckExact(minutes_object)) {
            declined = 1;
            break;
        }
        minutes = PyLong_AsLong(minutes_object);
        if (minutes == -1 && PyErr_Occurred()) {
            PyErr_Clear();
            declined = 1;
            break;
        }
        /* the record key: two records with one key are the Python pass's to sort out */
        {
            int added = key_add(&ids, org, rid, record);
            if (added < 0) {
                goto error;
            }
            if (!added) { /* that key again (even the same record) */
                declined = 1;
                break;
            }
        }
        /* the volunteer's number */
        {
            Py_hash_t hash = PyObject_Hash(vid);
            NameEntry *entry;
            if (hash == -1) {
                goto error;
            }
            if ((size_t)(people.used + 1) * 2 > people.mask + 1 && names_grow(&people) < 0) {
                PyErr_NoMemory();
                goto error;
            }
            entry = name_entry(&people, hash, vid);
            if (entry->name != NULL) {
                k = entry->k;
            }
            else {
                k = -1;
                entry->hash = hash;
                entry->name = vid; /* held by names, below */
                entry->k = vols.size;
                people.used++;
            }
        }
        if (k < 0) {
            k = vols.size;
            if (k == vols.capacity && volunteers_grow(&vols) < 0) {
                PyErr_NoMemory();
                goto error;
            }
            if (PyList_Append(names, vid) < 0) {
                goto error;
            }
            vols.items[k].total = 0;
            vols.items[k].head = -1;
            vols.items[k].first = NEVER;
            vols.items[k].flags = 0;
            vols.items[k].count = 0;
            vols.size = k + 1;
        }
        volunteer = &vols.items[k];
        chain[i] = volunteer->head;
        volunteer->head = i;
        if (slot(record, off.amends) != Py_None && append_position(amendments, i) < 0) {
            goto error;
        }
        /* the per-record rules */
        day = packed(date);
        is_verified = status == verified || PyUnicode_Compare(status, verified) == 0;
        reason = day > as_of || packed(at) > as_of ? 0
                 : since >= 0 && day < since      ? 1
                 : !is_verified                   ? 2
                                                  : -1;
        if (reason >= 0) {
            /* (record, (record_id, reason)), gathered per volunteer: one pair, then a list */
            PyObject *item = PyTuple_Pack(2, rid, reasons[reason]), *pair, *held, *name;
            if (item == NULL) {
                goto error;
            }
            pair = PyTuple_Pack(2, record, item);
            Py_DECREF(item);
            if (pair == NULL) {
                goto error;
            }
            name = PyList_GET_ITEM(names, k);
            held = PyDict_GetItemWithError(excluded, name);
            if (held == NULL) {
                int failed = PyErr_Occurred() || PyDict_SetItem(excluded, name, pair) < 0;
                Py_DECREF(pair);
                if (failed) {
                    goto error;
                }
            }
            else if (PyList_CheckExact(held)) {
                int failed = PyList_Append(held, pair) < 0;
                Py_DECREF(pair);
                if (failed) {
                    goto error;
                }
            }
            else {
                PyObject *both = PyList_New(2);
                if (both == NULL) {
                    Py_DECREF(pair);
                    goto error;
                }
                PyList_SET_ITEM(both, 0, Py_NewRef(held));
                PyList_SET_ITEM(both, 1, pair);
                if (PyDict_SetItem(excluded, name, both) < 0 || PyList_Append(several, name) < 0) {
                    Py_DECREF(both);
                    goto error;
                }
                Py_DECREF(both);
            }
            continue;
        }
        /* a counting record */
        volunteer->total += minutes;
        if (minutes > DAILY_CAP) {
            volunteer->flags |= 1;
        }
        if (need_first) {
            int ordinal = (int)day_number(PyDateTime_GET_YEAR(date), PyDateTime_GET_MONTH(date),
                                          PyDateTime_GET_DAY(date)) + 1;
            if (ordinal < volunteer->first) {
                volunteer->first = ordinal;
            }
        }
        if (seen_date(volunteer, k, day, &keys)) {
            volunteer->flags |= 1; /* two counting records on one date */
        }
        if (start == Py_None && end == Py_None) {
            continue;
        }
        if (start == Py_None || end == Py_None) {
            volunteer->flags |= 1; /* half an interval */
            continue;
        }
        if (!PyDateTime_CheckExact(start) || !PyDateTime_CheckExact(end) ||
            !same_zone(PyDateTime_DATE_GET_TZINFO(start), &first_zone) ||
            !same_zone(PyDateTime_DATE_GET_TZINFO(end), &first_zone)) {
            declined = 1; /* several offsets: every volunteer's intervals need a look */
            break;
        }
        if (packed(start) != day || packed(end) != day || !before(start, end)) {
            volunteer->flags |= 2;
        }
    }
    if (declined) {
        result = Py_NewRef(Py_None);
        goto done;
    }
    {
        PyObject *totals = PyList_New(vols.size);
        PyObject *first = NULL, *slow = NULL, *unsure = NULL, *heads = NULL, *links = NULL;
        if (totals == NULL) {
            goto error;
        }
        for (k = 0; k < vols.size; k++) {
            PyObject *value = PyLong_FromLongLong(vols.items[k].total);
            if (value == NULL) {
                Py_DECREF(totals);
                goto error;
            }
            PyList_SET_ITEM(totals, k, value);
        }
        if (need_first) {
            first = PyList_New(vols.size);
            if (first == NULL) {
                Py_DECREF(totals);
                goto error;
            }
            for (k = 0; k < vols.size; k++) {
                PyObject *value = PyLong_FromLong(vols.items[k].first);
                if (value == NULL) {
                    Py_DECREF(totals);
                    Py_DECREF(first);
                    goto error;
                }
                PyList_SET_ITEM(first, k, value);
            }
        }
        else {
            first = Py_NewRef(Py_None);
        }
        slow = index_list(&vols, 1);
        unsure = slow == NULL ? NULL : index_list(&vols, 2);
        if (unsure == NULL) {
            Py_DECREF(totals);
            Py_DECREF(first);
            Py_XDECREF(slow);
            goto error;
        }
        heads = PyBytes_FromStringAndSize(NULL, vols.size * (Py_ssize_t)sizeof(long long));
        if (heads != NULL) {
            long long *out = (long long *)PyBytes_AS_STRING(heads);
            for (k = 0; k < vols.size; k++) {
                out[k] = vols.items[k].head;
            }
        }
        links = heads == NULL ? NULL
                              : PyBytes_FromStringAndSize((const char *)chain,
                                                          n * (Py_ssize_t)sizeof(long long));
        if (links == NULL) {
            Py_DECREF(totals);
            Py_DECREF(first);
            Py_DECREF(slow);
            Py_DECREF(unsure);
            Py_XDECREF(heads);
            goto error;
        }
        /* the record each amendment names (by its id alone), or None */
        targets = PyList_New(PyList_GET_SIZE(amendments));
        if (targets == NULL) {
            Py_DECREF(totals);
            Py_DECREF(first);
            Py_DECREF(slow);
            Py_DECREF(unsure);
            Py_DECREF(heads);
            Py_DECREF(links);
            goto error;
        }
        for (k = 0; k < PyList_GET_SIZE(amendments); k++) {
            Py_ssize_t j = PyLong_AsSsize_t(PyList_GET_ITEM(amendments, k));
            PyObject *named = slot(items[j], off.amends);
            PyObject *target = PyUnicode_CheckExact(named)
                                   ? key_find(&ids, slot(items[j], off.org), named)
                                   : NULL;
            PyList_SET_ITEM(targets, k, Py_NewRef(target != NULL ? target : Py_None));
        }
        /* a volunteer's one exclusion becomes the final (item,); several stay a list of
         * (record, item) pairs for the caller to put in recorded order */
        {
            Py_ssize_t at = 0;
            PyObject *key, *value;
            while (PyDict_Next(excluded, &at, &key, &value)) {
                if (PyTuple_CheckExact(value)) {
                    PyObject *single = PyTuple_Pack(1, PyTuple_GET_ITEM(value, 1));
                    if (single == NULL) {
                        Py_DECREF(totals);
                        Py_DECREF(first);
                        Py_DECREF(slow);
                        Py_DECREF(unsure);
                        Py_DECREF(heads);
                        Py_DECREF(links);
                        goto error;
                    }
                    /* replacing the value of an existing key does not change the dict's size */
                    if (PyDict_SetItem(excluded, key, single) < 0) {
                        Py_DECREF(single);
                        Py_DECREF(totals);
                        Py_DECREF(first);
                        Py_DECREF(slow);
                        Py_DECREF(unsure);
                        Py_DECREF(heads);
                        Py_DECREF(links);
                        goto error;
                    }
                    Py_DECREF(single);
                }
            }
        }
        for (k = 0; k < vols.size; k++) { /* {volunteer_id: k} for the caller */
            PyObject *value = PyLong_FromSsize_t(k);
            if (value == NULL || PyDict_SetItem(index, PyList_GET_ITEM(names, k), value) < 0) {
                Py_XDECREF(value);
                Py_DECREF(totals);
                Py_DECREF(first);
                Py_DECREF(slow);
                Py_DECREF(unsure);
                Py_DECREF(heads);
                Py_DECREF(links);
                goto error; /* targets is released at done */
            }
            Py_DECREF(value);
        }
        result = PyTuple_Pack(12, names, totals, first, slow, unsure, excluded, amendments,
                              targets, heads, links, index, several);
        Py_DECREF(heads);
        Py_DECREF(links);
        Py_DECREF(totals);
        Py_DECREF(first);
        Py_DECREF(slow);
        Py_DECREF(unsure);
    }
    goto done;
error:
    result = NULL;
done:
    if (gc_was_enabled) {
        PyGC_Enable();
    }
    Py_XDECREF(index);
    Py_XDECREF(names);
    Py_XDECREF(targets);
    PyMem_Free(ids.entries);
    Py_XDECREF(excluded);
    Py_XDECREF(several);
    Py_XDECREF(amendments);
    Py_XDECREF(verified);
    PyMem_Free(keys.keys);
    PyMem_Free(chain);
    PyMem_Free(vols.items);
    PyMem_Free(people.entries);
    Py_XDECREF(reasons[0]);
    Py_XDECREF(reasons[1]);
    Py_XDECREF(reasons[2]);
    return result;
}

/* ------------------------------------------------------------------------------------------
 * instances(type, count, fields): `count` new instances of a class with __slots__, filled
 * slot by slot without calling __init__, as object.__new__ and each slot's __set__ would.
 * fields: a tuple of (slot name, values) pairs, values a list of `count` values or a 1-tuple
 * holding the one value every instance gets. Every slot the class reads must be among them.
 * The instances are left out of the cyclic collector (as a tuple of atomic values is): use it
 * only for frozen classes whose values cannot lead back to the instance, so that no cycle can
 * pass through one. count_many's certifications are such: text, dates, levels, Hours, tuples.
 */
static PyObject *
instances(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    PyTypeObject *type;
    PyObject *fields, *out = NULL;
    Py_ssize_t count, nfields, f, i;
    Py_ssize_t *offsets = NULL;
    PyObject **columns = NULL;
    int *constant = NULL;
    (void)module;
    if (nargs != 3 || !PyType_Check(args[0]) || !PyTuple_CheckExact(args[2])) {
        PyErr_SetString(PyExc_TypeError, "instances(type, count, fields)");
        return NULL;
    }
    type = (PyTypeObject *)args[0];
    count = PyLong_AsSsize_t(args[1]);
    if (count < 0) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_ValueError, "instances(): count must be >= 0");
        }
        return NULL;
    }
    fields = args[2];
    nfields = PyTuple_GET_SIZE(fields);
    offsets = PyMem_Malloc((nfields ? nfields : 1) * sizeof(Py_ssize_t));
    columns = PyMem_Malloc((nfields ? nfields : 1) * sizeof(PyObject *));
    constant = PyMem_Malloc((nfields ? nfields : 1) * sizeof(int));
    if (offsets == NULL || columns == NULL || constant == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (f = 0; f < nfields; f++) {
        PyObject *pair = PyTuple_GET_ITEM(fields, f), *name, *values;
        const char *text;
        if (!PyTuple_CheckExact(pair) || PyTuple_GET_SIZE(pair) != 2) {
            PyErr_SetString(PyExc_TypeError, "instances(): fields are (name, values) pairs");
            goto done;
        }
        name = PyTuple_GET_ITEM(pair, 0);
        values = PyTuple_GET_ITEM(pair, 1);
        text = PyUnicode_Check(name) ? PyUnicode_AsUTF8(name) : NULL;
        if (text == NULL) {
            if (!PyErr_Occurred()) {
                PyErr_SetString(PyExc_TypeError, "instances(): a slot name must be a str");
            }
            goto done;
        }
        offsets[f] = slot_offset(type, text);
        if (offsets[f] < 0) {
            PyErr_Format(PyExc_TypeError, "instances(): %R is not a slot of %R", name, type);
            goto done;
        }
        if (PyList_CheckExact(values) && PyList_GET_SIZE(values) == count) {
            constant[f] = 0;
        }
        else if (PyTuple_CheckExact(values) && PyTuple_GET_SIZE(values) == 1) {
            constant[f] = 1;
        }
        else {
            PyErr_Format(PyExc_TypeError,
                         "instances(): the values of %R must be a list of %zd or a 1-tuple",
                         name, count);
            goto done;
        }
        columns[f] = values;
    }
    out = PyList_New(count);
    if (out == NULL) {
        goto done;
    }
    for (i = 0; i < count; i++) {
        PyObject *object = type->tp_alloc(type, 0);
        if (object == NULL) {
            Py_CLEAR(out);
            goto done;
        }
        for (f = 0; f < nfields; f++) {
            PyObject *value = constant[f] ? PyTuple_GET_ITEM(columns[f], 0)
                                          : PyList_GET_ITEM(columns[f], i);
            PyObject **place = (PyObject **)((char *)object + offsets[f]);
            PyObject *old = *place;
            Py_INCREF(value);
            *place = value;
            Py_XDECREF(old);
        }
        if (PyObject_IS_GC(object)) {
            PyObject_GC_UnTrack(object);
        }
        PyList_SET_ITEM(out, i, object);
    }
done:
    PyMem_Free(offsets);
    PyMem_Free(columns);
    PyMem_Free(constant);
    return out;
}

static PyMethodDef methods[] = {
    {"moments", (PyCFunction)(void (*)(void))moments, METH_FASTCALL,
     "moments(recorded_text, start_text, end_text, day_text, minutes)\n--\n\n"
     "A canonical record's date-times (recorded_at, start, end), or None."},
    {"count_pass", (PyCFunction)(void (*)(void))count_pass, METH_FASTCALL,
     "count_pass(records, record_type, hours_type, as_of, since, need_first)\n--\n\n"
     "count_many's bulk pass over plain input, or None."},
    {"instances", (PyCFunction)(void (*)(void))instances, METH_FASTCALL,
     "instances(type, count, fields)\n--\n\n"
     "count new instances of a slotted class, filled slot by slot."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    "volunteer_rules._speedups",
    "Optional compiled helpers for parse_record's fast path and count_many's bulk pass.",
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
