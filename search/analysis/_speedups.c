/*
 * The optional compiled core of the analysis and extraction code (search.analysis._speedups).
 *
 * It holds no linguistic data and composes no analysis chain: every table (character
 * classes, stop words, normalization maps, stemmer affixes) is handed over by the Python
 * code, which also decides which steps run in which order (search/analysis/speedups.py).
 * Each piece here does exactly what a pure-Python piece does, only faster:
 *
 *   Scanner      the tokenizer's fast path (tokenizer.py, _PLAIN_SPLIT): plain words between
 *                separators; gaps holding anything else go to the Python grammar callback.
 *                Also the indexer's hot loop: tokenize, look every word up in the word
 *                cache (a dict whose __missing__ runs the Python chains), join the terms.
 *   Pipeline     a run of token filters over one term: lowercase, decimal digits, stop
 *                set, character map (str.translate), Lucene's light stemmer, and any other
 *                filter as a Python callable.
 *   CharMap      one-to-one/deleting character map with the positions of deletions
 *                (the facet extractors' normalized text and its offset map).
 *
 * search/analysis/speedups.py checks API_VERSION: a build of another version is ignored.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

#define API_VERSION 1

/* ------------------------------------------------------------------------------------ */
/* Small helpers                                                                         */
/* ------------------------------------------------------------------------------------ */

/* Maximum character of a canonical string, at the granularity that decides its kind. */
static inline Py_UCS4 kind_max(PyObject *s) { return PyUnicode_MAX_CHAR_VALUE(s); }

/* Copy the characters of s into a string of kind to_kind at position pos. */
static inline void copy_into(int to_kind, void *to_data, Py_ssize_t pos, PyObject *s)
{
    Py_ssize_t len = PyUnicode_GET_LENGTH(s);
    int kind = PyUnicode_KIND(s);
    const void *data = PyUnicode_DATA(s);
    if (kind == to_kind) {
        memcpy((char *)to_data + pos * to_kind, data, (size_t)len * kind);
    }
    else {
        for (Py_ssize_t i = 0; i < len; i++)
            PyUnicode_WRITE(to_kind, to_data, pos + i, PyUnicode_READ(kind, data, i));
    }
}

/* A string from a UCS4 buffer, in its canonical (smallest) kind. */
static PyObject *from_ucs4(const Py_UCS4 *buf, Py_ssize_t len)
{
    return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, buf, len);
}

/* ------------------------------------------------------------------------------------ */
/* Scanner                                                                               */
/* ------------------------------------------------------------------------------------ */

enum { F_FIRST = 1, F_NEXT = 2, F_SEP = 4, F_JOIN = 8 };
#define TABLE_SIZE 0x10000

typedef struct {
    PyObject_HEAD
    unsigned char flags[TABLE_SIZE];
} ScannerObject;

static int set_flags(ScannerObject *self, PyObject *chars, unsigned char flag, const char *what)
{
    if (!PyUnicode_Check(chars)) {
        PyErr_Format(PyExc_TypeError, "Scanner: %s must be a str", what);
        return -1;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(chars);
    int kind = PyUnicode_KIND(chars);
    const void *data = PyUnicode_DATA(chars);
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c >= TABLE_SIZE) {
            PyErr_Format(PyExc_ValueError, "Scanner: %s holds U+%04X, outside the BMP", what, c);
            return -1;
        }
        self->flags[c] |= flag;
    }
    return 0;
}

static int Scanner_init(ScannerObject *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"first", "next", "separators", "joiners", NULL};
    PyObject *first, *next, *sep, *join;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "UUUU:Scanner", kwlist, &first, &next, &sep, &join))
        return -1;
    memset(self->flags, 0, sizeof(self->flags));
    if (set_flags(self, first, F_FIRST, "first") < 0 || set_flags(self, next, F_NEXT, "next") < 0
        || set_flags(self, sep, F_SEP, "separators") < 0 || set_flags(self, join, F_JOIN, "joiners") < 0)
        return -1;
    for (Py_ssize_t c = 0; c < TABLE_SIZE; c++) {
        unsigned char f = self->flags[c];
        /* The scan below relies on these: a word character is never a separator or a
           joiner, and every first character may also continue a word. */
        if ((f & (F_FIRST | F_NEXT)) && (f & (F_SEP | F_JOIN))) {
            PyErr_Format(PyExc_ValueError, "Scanner: U+%04X is both a word character and a separator/joiner", (int)c);
            return -1;
        }
        if ((f & F_FIRST) && !(f & F_NEXT)) {
            PyErr_Format(PyExc_ValueError, "Scanner: U+%04X may start a word but not continue one", (int)c);
            return -1;
        }
    }
    return 0;
}

/* Called for every token, in order. */
typedef int (*emit_fn)(void *ctx, PyObject *text, Py_ssize_t start, Py_ssize_t end);

static int emit_grammar(PyObject *text, PyObject *grammar, Py_ssize_t start, Py_ssize_t stop,
                        emit_fn emit, void *ctx)
{
    PyObject *found = PyObject_CallFunction(grammar, "Onn", text, start, stop);
    if (found == NULL)
        return -1;
    PyObject *seq = PySequence_Fast(found, "the grammar must return a sequence of (start, end)");
    Py_DECREF(found);
    if (seq == NULL)
        return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    PyObject **items = PySequence_Fast_ITEMS(seq);
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t a, b;
        if (!PyArg_ParseTuple(items[i], "nn:grammar span", &a, &b) || emit(ctx, text, a, b) < 0) {
            Py_DECREF(seq);
            return -1;
        }
    }
    Py_DECREF(seq);
    return 0;
}

/*
 * The fast path of StandardTokenizer.tokenize: re.split(_PLAIN_SPLIT) plus the grammar for
 * gaps holding anything but separators and joiners. A plain word starts with a "first"
 * character preceded by the text start, a separator, or a joiner that is itself at the
 * start or after a separator; it runs over "next" characters (possessively) and must be
 * followed by the text end, a separator, or joiners then the end or a separator.
 * Returns 0, -1 on error, 1 when a plain word is longer than max_len (the caller then
 * takes the pure-Python path, which owns the long-token rules).
 */
static int scan(ScannerObject *self, PyObject *text, PyObject *grammar, Py_ssize_t max_len,
                emit_fn emit, void *ctx)
{
    const unsigned char *fl = self->flags;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    Py_ssize_t gap_start = 0, i = 0;
    int tricky = 0;
#define FLAG(pos) (flag_of(PyUnicode_READ(kind, data, (pos))))
#define flag_of(c) ((c) < TABLE_SIZE ? fl[(c)] : 0)
    while (i < n) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        unsigned f = flag_of(c);
        if (f & F_FIRST) {
            int before;
            if (i == 0)
                before = 1;
            else {
                unsigned p = FLAG(i - 1);
                if (p & F_SEP)
                    before = 1;
                else if (p & F_JOIN)
                    before = (i == 1) || (FLAG(i - 2) & F_SEP);
                else
                    before = 0;
            }
            Py_ssize_t j = i + 1;
            while (j < n && (FLAG(j) & F_NEXT))
                j++;
            int after = 0;
            if (before) {
                if (j == n)
                    after = 1;
                else {
                    unsigned a = FLAG(j);
                    if (a & F_SEP)
                        after = 1;
                    else if (a & F_JOIN) {
                        Py_ssize_t k = j + 1;
                        while (k < n && (FLAG(k) & F_JOIN))
                            k++;
                        after = (k == n) || (FLAG(k) & F_SEP);
                    }
                }
            }
            if (after) {
                if (j - i > max_len)
                    return 1;
                if (tricky && emit_grammar(text, grammar, gap_start, i, emit, ctx) < 0)
                    return -1;
                if (emit(ctx, text, i, j) < 0)
                    return -1;
                gap_start = j;
                tricky = 0;
            }
            else {
                /* Not a plain word: these characters stay in the gap, which then needs
                   the grammar. No position inside the run can start a plain word (it
                   follows a word character). */
                tricky = 1;
            }
            i = j;
            continue;
        }
        if (!(f & (F_SEP | F_JOIN)))
            tricky = 1;
        i++;
    }
#undef FLAG
#undef flag_of
    if (tricky && emit_grammar(text, grammar, gap_start, n, emit, ctx) < 0)
        return -1;
    return 0;
}

/* -- tokenize: (words, starts, ends) -- */

typedef struct {
    PyObject *words, *starts, *ends;
} TokenLists;

static int emit_token(void *ctx, PyObject *text, Py_ssize_t start, Py_ssize_t end)
{
    TokenLists *t = (TokenLists *)ctx;
    PyObject *w = PyUnicode_Substring(text, start, end);
    PyObject *s = PyLong_FromSsize_t(start);
    PyObject *e = PyLong_FromSsize_t(end);
    int rc = -1;
    if (w && s && e && PyList_Append(t->words, w) == 0 && PyList_Append(t->starts, s) == 0
        && PyList_Append(t->ends, e) == 0)
        rc = 0;
    Py_XDECREF(w);
    Py_XDECREF(s);
    Py_XDECREF(e);
    return rc;
}

static PyObject *Scanner_tokenize(ScannerObject *self, PyObject *args)
{
    PyObject *text, *grammar;
    Py_ssize_t max_len;
    if (!PyArg_ParseTuple(args, "UOn:tokenize", &text, &grammar, &max_len))
        return NULL;
    TokenLists t = {PyList_New(0), PyList_New(0), PyList_New(0)};
    PyObject *result = NULL;
    if (t.words && t.starts && t.ends) {
        int rc = scan(self, text, grammar, max_len, emit_token, &t);
        if (rc == 0)
            result = PyTuple_Pack(3, t.words, t.starts, t.ends);
        else if (rc == 1)
            result = Py_NewRef(Py_None);
    }
    Py_XDECREF(t.words);
    Py_XDECREF(t.starts);
    Py_XDECREF(t.ends);
    return result;
}

/* -- words only (no offsets) -- */

static int emit_word(void *ctx, PyObject *text, Py_ssize_t start, Py_ssize_t end)
{
    PyObject *w = PyUnicode_Substring(text, start, end);
    if (w == NULL)
        return -1;
    int rc = PyList_Append((PyObject *)ctx, w);
    Py_DECREF(w);
    return rc;
}

static PyObject *Scanner_words(ScannerObject *self, PyObject *args)
{
    PyObject *text, *grammar;
    Py_ssize_t max_len;
    if (!PyArg_ParseTuple(args, "UOn:words", &text, &grammar, &max_len))
        return NULL;
    PyObject *words = PyList_New(0);
    if (words == NULL)
        return NULL;
    int rc = scan(self, text, grammar, max_len, emit_word, words);
    if (rc == 0)
        return words;
    Py_DECREF(words);
    return rc == 1 ? Py_NewRef(Py_None) : NULL;
}

/* -- the indexer's loop: tokenize, look up, join -- */

static PyObject *join_values(PyObject *values, PyObject *gap, Py_ssize_t columns);

typedef struct {
    PyObject *cache;   /* dict (subclass) surface -> result; __missing__ computes */
    PyObject *values;  /* list of results, one per token */
} Lookup;

static int emit_lookup(void *ctx, PyObject *text, Py_ssize_t start, Py_ssize_t end)
{
    Lookup *l = (Lookup *)ctx;
    PyObject *w = PyUnicode_Substring(text, start, end);
    if (w == NULL)
        return -1;
    PyObject *v = PyDict_GetItemWithError(l->cache, w);
    if (v != NULL)
        Py_INCREF(v);
    else if (!PyErr_Occurred())
        v = PyObject_GetItem(l->cache, w);  /* the cache's __missing__ analyzes the word */
    Py_DECREF(w);
    if (v == NULL)
        return -1;
    int rc = PyList_Append(l->values, v);
    Py_DECREF(v);
    return rc;
}

/* The chain result of one token: None (an empty position), a str (a term; "" is written
   as a gap too, as Python's `r or gap`), or a tuple of (term or None, start, end) parts. */
static inline int column_item(PyObject *value, Py_ssize_t column, PyObject **item)
{
    if (column < 0) {
        *item = value;
        return 0;
    }
    if (!PyTuple_Check(value) || PyTuple_GET_SIZE(value) <= column) {
        PyErr_SetString(PyExc_TypeError, "join: a cached value is not a tuple with a result per chain");
        return -1;
    }
    *item = PyTuple_GET_ITEM(value, column);
    return 0;
}

/* Terms of one column joined by spaces, gap for each empty position. */
static PyObject *join_column(PyObject *values, Py_ssize_t column, PyObject *gap)
{
    Py_ssize_t n = PyList_GET_SIZE(values);
    Py_ssize_t count = 0, length = 0;
    Py_UCS4 maxchar = 0;
    for (int pass = 0; pass < 2; pass++) {
        PyObject *out = NULL;
        int out_kind = 0;
        void *out_data = NULL;
        Py_ssize_t pos = 0;
        if (pass == 1) {
            if (count == 0)
                return PyUnicode_New(0, 0);
            out = PyUnicode_New(length + count - 1, maxchar);
            if (out == NULL)
                return NULL;
            out_kind = PyUnicode_KIND(out);
            out_data = PyUnicode_DATA(out);
        }
        for (Py_ssize_t i = 0; i < n; i++) {
            PyObject *item;
            if (column_item(PyList_GET_ITEM(values, i), column, &item) < 0) {
                Py_XDECREF(out);
                return NULL;
            }
            Py_ssize_t parts = 1;
            int split = 0;
            if (item != Py_None && !PyUnicode_Check(item)) {
                if (!PyTuple_Check(item)) {
                    PyErr_SetString(PyExc_TypeError, "join: a chain result is neither None, str nor parts");
                    Py_XDECREF(out);
                    return NULL;
                }
                split = 1;
                parts = PyTuple_GET_SIZE(item);
            }
            for (Py_ssize_t p = 0; p < parts; p++) {
                PyObject *term = item;
                if (split) {
                    PyObject *part = PyTuple_GET_ITEM(item, p);
                    if (!PyTuple_Check(part) || PyTuple_GET_SIZE(part) < 1) {
                        PyErr_SetString(PyExc_TypeError, "join: a part is not a (term, start, end) tuple");
                        Py_XDECREF(out);
                        return NULL;
                    }
                    term = PyTuple_GET_ITEM(part, 0);
                }
                if (term == Py_None || (PyUnicode_Check(term) && PyUnicode_GET_LENGTH(term) == 0))
                    term = gap;
                else if (!PyUnicode_Check(term)) {
                    PyErr_SetString(PyExc_TypeError, "join: a term is not a str");
                    Py_XDECREF(out);
                    return NULL;
                }
                if (pass == 0) {
                    count++;
                    length += PyUnicode_GET_LENGTH(term);
                    Py_UCS4 m = kind_max(term);
                    if (m > maxchar)
                        maxchar = m;
                }
                else {
                    if (pos > 0)
                        PyUnicode_WRITE(out_kind, out_data, pos++, ' ');
                    copy_into(out_kind, out_data, pos, term);
                    pos += PyUnicode_GET_LENGTH(term);
                }
            }
        }
        if (pass == 1)
            return out;
    }
    return NULL; /* not reached */
}

static PyObject *Scanner_join(ScannerObject *self, PyObject *args)
{
    PyObject *text, *grammar, *cache, *gap;
    Py_ssize_t max_len, columns;
    if (!PyArg_ParseTuple(args, "UOnO!Un:join", &text, &grammar, &max_len, &PyDict_Type, &cache, &gap, &columns))
        return NULL;
    Lookup l = {cache, PyList_New(0)};
    if (l.values == NULL)
        return NULL;
    PyObject *result = NULL;
    int rc = scan(self, text, grammar, max_len, emit_lookup, &l);
    if (rc == 1)
        result = Py_NewRef(Py_None);
    else if (rc == 0)
        result = join_values(l.values, gap, columns);
    Py_DECREF(l.values);
    return result;
}

/* ------------------------------------------------------------------------------------ */
/* Pipeline: a run of token filters                                                      */
/* ------------------------------------------------------------------------------------ */

enum { S_LOWER, S_DECIMAL, S_STOP, S_MAP, S_STEM, S_CALL, S_GUARDED };

typedef struct {
    PyObject_HEAD
    unsigned char *has; /* bitmap of mapped BMP code points */
    Py_UCS4 *to;        /* replacement per BMP code point (valid where has) */
    int deletes;        /* whether any code point is deleted */
} CharMapObject;

typedef struct {
    PyObject *affix;     /* str */
    Py_ssize_t n;        /* its length in code points */
    Py_ssize_t needed;   /* the shortest term (UTF-16 units) it may be removed from */
} Affix;

typedef struct {
    int kind;
    PyObject *obj;       /* S_STOP: set; S_MAP: CharMap; S_CALL/S_GUARDED: callable */
    unsigned char *guard; /* S_GUARDED: bitmap of the BMP characters that call the filter */
    Affix *prefixes, *suffixes;
    Py_ssize_t nprefixes, nsuffixes;
} Step;

typedef struct {
    PyObject_HEAD
    Step *steps;
    Py_ssize_t nsteps;
} PipelineObject;

static PyTypeObject CharMapType;

/* Lucene LowerCaseFilter: Character.toLowerCase per code point (no final-sigma rule,
   U+0130 becomes a plain i), as filters.LowerCaseFilter. */
static PyObject *lowercase(PyObject *term)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(term);
    int kind = PyUnicode_KIND(term);
    const void *data = PyUnicode_DATA(term);
    Py_ssize_t i = 0;
    for (; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        Py_UCS4 l = c == 0x130 ? 'i' : Py_UNICODE_TOLOWER(c);
        if (l != c)
            break;
    }
    if (i == n)
        return Py_NewRef(term);
    Py_UCS4 *buf = PyMem_Malloc(sizeof(Py_UCS4) * (n ? n : 1));
    if (buf == NULL)
        return PyErr_NoMemory();
    for (Py_ssize_t k = 0; k < n; k++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, k);
        buf[k] = c == 0x130 ? 'i' : Py_UNICODE_TOLOWER(c);
    }
    PyObject *out = from_ucs4(buf, n);
    PyMem_Free(buf);
    return out;
}

/* Lucene DecimalDigitFilter: every decimal digit (Nd) to ASCII. */
static PyObject *decimal_digits(PyObject *term)
{
    if (PyUnicode_IS_ASCII(term))
        return Py_NewRef(term);
    Py_ssize_t n = PyUnicode_GET_LENGTH(term);
    int kind = PyUnicode_KIND(term);
    const void *data = PyUnicode_DATA(term);
    Py_ssize_t i = 0;
    for (; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c >= 0x80 && Py_UNICODE_TODECIMAL(c) >= 0)
            break;
    }
    if (i == n)
        return Py_NewRef(term);
    Py_UCS4 *buf = PyMem_Malloc(sizeof(Py_UCS4) * n);
    if (buf == NULL)
        return PyErr_NoMemory();
    for (Py_ssize_t k = 0; k < n; k++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, k);
        int d = c >= 0x80 ? Py_UNICODE_TODECIMAL(c) : -1;
        buf[k] = d >= 0 ? (Py_UCS4)('0' + d) : c;
    }
    PyObject *out = from_ucs4(buf, n);
    PyMem_Free(buf);
    return out;
}

/* str.translate with a table of single characters or deletions. When deleted is not
   NULL, the positions (in term) of deleted characters are appended to it. */
static PyObject *charmap_apply(CharMapObject *m, PyObject *term, PyObject *deleted)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(term);
    int kind = PyUnicode_KIND(term);
    const void *data = PyUnicode_DATA(term);
    const unsigned char *has = m->has;
    Py_ssize_t i = 0;
    for (; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c < TABLE_SIZE && (has[c >> 3] & (1 << (c & 7))))
            break;
    }
    if (i == n)
        return Py_NewRef(term);
    Py_UCS4 *buf = PyMem_Malloc(sizeof(Py_UCS4) * n);
    if (buf == NULL)
        return PyErr_NoMemory();
    Py_ssize_t len = 0;
    for (Py_ssize_t k = 0; k < i; k++)
        buf[len++] = PyUnicode_READ(kind, data, k);
    for (Py_ssize_t k = i; k < n; k++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, k);
        if (c < TABLE_SIZE && (has[c >> 3] & (1 << (c & 7)))) {
            Py_UCS4 to = m->to[c];
            if (to == (Py_UCS4)-1) {
                if (deleted != NULL) {
                    PyObject *p = PyLong_FromSsize_t(k);
                    if (p == NULL || PyList_Append(deleted, p) < 0) {
                        Py_XDECREF(p);
                        PyMem_Free(buf);
                        return NULL;
                    }
                    Py_DECREF(p);
                }
                continue;
            }
            c = to;
        }
        buf[len++] = c;
    }
    PyObject *out = from_ucs4(buf, len);
    PyMem_Free(buf);
    return out;
}

static inline Py_ssize_t utf16_length(PyObject *term)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(term);
    if (PyUnicode_KIND(term) != PyUnicode_4BYTE_KIND)
        return n;
    const Py_UCS4 *data = PyUnicode_4BYTE_DATA(term);
    Py_ssize_t extra = 0;
    for (Py_ssize_t i = 0; i < n; i++)
        extra += data[i] > 0xFFFF;
    return n + extra;
}

/* Whether term[start:end] has affix at its start (at_end == 0) or its end. */
static inline int has_affix(PyObject *term, Py_ssize_t start, Py_ssize_t end, const Affix *a, int at_end)
{
    if (end - start < a->n)
        return 0;
    Py_ssize_t from = at_end ? end - a->n : start;
    int kind = PyUnicode_KIND(term), akind = PyUnicode_KIND(a->affix);
    const void *data = PyUnicode_DATA(term), *adata = PyUnicode_DATA(a->affix);
    for (Py_ssize_t i = 0; i < a->n; i++)
        if (PyUnicode_READ(kind, data, from + i) != PyUnicode_READ(akind, adata, i))
            return 0;
    return 1;
}

/* Lucene ArabicStemmer, as filters.ArabicStemFilter: the first prefix that matches (if
   the term is long enough), then each suffix in order. Lengths in UTF-16 units. */
static PyObject *stem(const Step *s, PyObject *term)
{
    Py_ssize_t start = 0, end = PyUnicode_GET_LENGTH(term);
    Py_ssize_t length = utf16_length(term);
    for (Py_ssize_t k = 0; k < s->nprefixes; k++) {
        const Affix *a = &s->prefixes[k];
        if (length >= a->needed && has_affix(term, start, end, a, 0)) {
            start += a->n;
            length -= a->n;
            break;
        }
    }
    for (Py_ssize_t k = 0; k < s->nsuffixes; k++) {
        const Affix *a = &s->suffixes[k];
        if (length >= a->needed && has_affix(term, start, end, a, 1)) {
            end -= a->n;
            length -= a->n;
        }
    }
    if (start == 0 && end == PyUnicode_GET_LENGTH(term))
        return Py_NewRef(term);
    return PyUnicode_Substring(term, start, end);
}

/* Whether term holds any character of the guard. */
static int guard_hit(const unsigned char *guard, PyObject *term)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(term);
    int kind = PyUnicode_KIND(term);
    const void *data = PyUnicode_DATA(term);
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c < TABLE_SIZE && (guard[c >> 3] & (1 << (c & 7))))
            return 1;
    }
    return 0;
}

static PyObject *run_step(const Step *s, PyObject *term)
{
    switch (s->kind) {
    case S_LOWER:
        return lowercase(term);
    case S_DECIMAL:
        return decimal_digits(term);
    case S_STOP: {
        int hit = PySet_Contains(s->obj, term);
        if (hit < 0)
            return NULL;
        return Py_NewRef(hit ? Py_None : term);
    }
    case S_MAP:
        return charmap_apply((CharMapObject *)s->obj, term, NULL);
    case S_STEM:
        return stem(s, term);
    case S_GUARDED: {
        if (!guard_hit(s->guard, term))
            return Py_NewRef(term);
        return PyObject_CallOneArg(s->obj, term);
    }
    default:
        return PyObject_CallOneArg(s->obj, term);
    }
}

static PyObject *Pipeline_call(PipelineObject *self, PyObject *args, PyObject *kwds)
{
    PyObject *term;
    if (!PyArg_ParseTuple(args, "O:Pipeline", &term))
        return NULL;
    Py_INCREF(term);
    for (Py_ssize_t i = 0; i < self->nsteps && term != Py_None; i++) {
        if (!PyUnicode_Check(term)) {
            Py_DECREF(term);
            PyErr_SetString(PyExc_TypeError, "Pipeline: a filter returned neither str nor None");
            return NULL;
        }
        PyObject *next = run_step(&self->steps[i], term);
        Py_DECREF(term);
        if (next == NULL)
            return NULL;
        term = next;
    }
    return term;
}

static int parse_affixes(PyObject *rules, Affix **out, Py_ssize_t *count)
{
    PyObject *seq = PySequence_Fast(rules, "stem: affix rules must be a sequence");
    if (seq == NULL)
        return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    *out = PyMem_Calloc(n ? n : 1, sizeof(Affix));
    *count = 0;
    if (*out == NULL) {
        Py_DECREF(seq);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *affix;
        Py_ssize_t len, needed;
        if (!PyArg_ParseTuple(PySequence_Fast_GET_ITEM(seq, i), "Unn:affix rule", &affix, &len, &needed)) {
            Py_DECREF(seq);
            return -1;
        }
        (*out)[i].affix = Py_NewRef(affix);
        (*out)[i].n = len;
        (*out)[i].needed = needed;
        (*count)++;
        if (len != PyUnicode_GET_LENGTH(affix)) {
            Py_DECREF(seq);
            PyErr_SetString(PyExc_ValueError, "stem: affix length does not match the affix");
            return -1;
        }
    }
    Py_DECREF(seq);
    return 0;
}

static void clear_steps(PipelineObject *self)
{
    for (Py_ssize_t i = 0; i < self->nsteps; i++) {
        Step *s = &self->steps[i];
        Py_CLEAR(s->obj);
        PyMem_Free(s->guard);
        for (Py_ssize_t k = 0; k < s->nprefixes; k++)
            Py_CLEAR(s->prefixes[k].affix);
        for (Py_ssize_t k = 0; k < s->nsuffixes; k++)
            Py_CLEAR(s->suffixes[k].affix);
        PyMem_Free(s->prefixes);
        PyMem_Free(s->suffixes);
    }
    PyMem_Free(self->steps);
    self->steps = NULL;
    self->nsteps = 0;
}

/* steps: a sequence of tuples
     ("lowercase",) ("decimal_digit",) ("stop", set) ("map", CharMap)
     ("stem", prefix_rules, suffix_rules) with rules (affix, len(affix), shortest length)
     ("call", callable) ("guarded", chars, callable): callable only for terms holding one of chars */
static int Pipeline_init(PipelineObject *self, PyObject *args, PyObject *kwds)
{
    PyObject *steps;
    if (!PyArg_ParseTuple(args, "O:Pipeline", &steps))
        return -1;
    clear_steps(self);
    PyObject *seq = PySequence_Fast(steps, "Pipeline: steps must be a sequence");
    if (seq == NULL)
        return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    self->steps = PyMem_Calloc(n ? n : 1, sizeof(Step));
    if (self->steps == NULL) {
        Py_DECREF(seq);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *spec = PySequence_Fast_GET_ITEM(seq, i);
        Step *s = &self->steps[i];
        self->nsteps = i + 1;
        if (!PyTuple_Check(spec) || PyTuple_GET_SIZE(spec) < 1 || !PyUnicode_Check(PyTuple_GET_ITEM(spec, 0))) {
            PyErr_SetString(PyExc_TypeError, "Pipeline: each step is a tuple starting with its kind");
            goto fail;
        }
        const char *kind = PyUnicode_AsUTF8(PyTuple_GET_ITEM(spec, 0));
        Py_ssize_t size = PyTuple_GET_SIZE(spec);
        if (kind == NULL)
            goto fail;
        if (strcmp(kind, "lowercase") == 0 && size == 1)
            s->kind = S_LOWER;
        else if (strcmp(kind, "decimal_digit") == 0 && size == 1)
            s->kind = S_DECIMAL;
        else if (strcmp(kind, "stop") == 0 && size == 2 && PyAnySet_Check(PyTuple_GET_ITEM(spec, 1))) {
            s->kind = S_STOP;
            s->obj = Py_NewRef(PyTuple_GET_ITEM(spec, 1));
        }
        else if (strcmp(kind, "map") == 0 && size == 2 && PyObject_TypeCheck(PyTuple_GET_ITEM(spec, 1), &CharMapType)) {
            s->kind = S_MAP;
            s->obj = Py_NewRef(PyTuple_GET_ITEM(spec, 1));
        }
        else if (strcmp(kind, "stem") == 0 && size == 3) {
            s->kind = S_STEM;
            if (parse_affixes(PyTuple_GET_ITEM(spec, 1), &s->prefixes, &s->nprefixes) < 0
                || parse_affixes(PyTuple_GET_ITEM(spec, 2), &s->suffixes, &s->nsuffixes) < 0)
                goto fail;
        }
        else if (strcmp(kind, "call") == 0 && size == 2 && PyCallable_Check(PyTuple_GET_ITEM(spec, 1))) {
            s->kind = S_CALL;
            s->obj = Py_NewRef(PyTuple_GET_ITEM(spec, 1));
        }
        else if (strcmp(kind, "guarded") == 0 && size == 3 && PyUnicode_Check(PyTuple_GET_ITEM(spec, 1))
                 && PyCallable_Check(PyTuple_GET_ITEM(spec, 2))) {
            PyObject *chars = PyTuple_GET_ITEM(spec, 1);
            s->kind = S_GUARDED;
            s->obj = Py_NewRef(PyTuple_GET_ITEM(spec, 2));
            s->guard = PyMem_Calloc(TABLE_SIZE / 8, 1);
            if (s->guard == NULL) {
                PyErr_NoMemory();
                goto fail;
            }
            for (Py_ssize_t k = 0; k < PyUnicode_GET_LENGTH(chars); k++) {
                Py_UCS4 c = PyUnicode_READ_CHAR(chars, k);
                if (c >= TABLE_SIZE) {
                    PyErr_SetString(PyExc_ValueError, "Pipeline: guard characters must be in the BMP");
                    goto fail;
                }
                s->guard[c >> 3] |= (unsigned char)(1 << (c & 7));
            }
        }
        else {
            PyErr_Format(PyExc_ValueError, "Pipeline: bad step %R", spec);
            goto fail;
        }
    }
    Py_DECREF(seq);
    return 0;
fail:
    Py_DECREF(seq);
    clear_steps(self);
    return -1;
}

static int Pipeline_traverse(PipelineObject *self, visitproc visit, void *arg)
{
    for (Py_ssize_t i = 0; i < self->nsteps; i++) {
        Py_VISIT(self->steps[i].obj);
    }
    return 0;
}

static int Pipeline_clear(PipelineObject *self)
{
    clear_steps(self);
    return 0;
}

static void Pipeline_dealloc(PipelineObject *self)
{
    PyObject_GC_UnTrack(self);
    clear_steps(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* ------------------------------------------------------------------------------------ */
/* CharMap                                                                               */
/* ------------------------------------------------------------------------------------ */

/* table: {code point: str of one character, or None to delete} (a str.maketrans table) */
static int CharMap_init(CharMapObject *self, PyObject *args, PyObject *kwds)
{
    PyObject *table;
    if (!PyArg_ParseTuple(args, "O!:CharMap", &PyDict_Type, &table))
        return -1;
    PyMem_Free(self->has);
    PyMem_Free(self->to);
    self->has = PyMem_Calloc(TABLE_SIZE / 8, 1);
    self->to = PyMem_Calloc(TABLE_SIZE, sizeof(Py_UCS4));
    self->deletes = 0;
    if (self->has == NULL || self->to == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    while (PyDict_Next(table, &pos, &key, &value)) {
        long c = PyLong_AsLong(key);
        if (c == -1 && PyErr_Occurred())
            return -1;
        if (c < 0 || c >= TABLE_SIZE) {
            PyErr_Format(PyExc_ValueError, "CharMap: key %ld outside the BMP", c);
            return -1;
        }
        Py_UCS4 to;
        if (value == Py_None) {
            to = (Py_UCS4)-1;
            self->deletes = 1;
        }
        else if (PyUnicode_Check(value) && PyUnicode_GET_LENGTH(value) == 1)
            to = PyUnicode_READ_CHAR(value, 0);
        else if (PyLong_Check(value)) {
            long v = PyLong_AsLong(value);
            if (v < 0 || v > 0x10FFFF) {
                PyErr_SetString(PyExc_ValueError, "CharMap: bad code point");
                return -1;
            }
            to = (Py_UCS4)v;
        }
        else {
            PyErr_Format(PyExc_ValueError, "CharMap: U+%04lX maps to %R, not one character or None", c, value);
            return -1;
        }
        self->has[c >> 3] |= (unsigned char)(1 << (c & 7));
        self->to[c] = to;
    }
    return 0;
}

static void CharMap_dealloc(CharMapObject *self)
{
    PyMem_Free(self->has);
    PyMem_Free(self->to);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *CharMap_translate(CharMapObject *self, PyObject *arg)
{
    if (!PyUnicode_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "translate: a str is required");
        return NULL;
    }
    return charmap_apply(self, arg, NULL);
}

/* (mapped text, positions of deleted characters or None when none was deleted) */
static PyObject *CharMap_translate_tracking(CharMapObject *self, PyObject *arg)
{
    if (!PyUnicode_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "translate_tracking: a str is required");
        return NULL;
    }
    PyObject *deleted = PyList_New(0);
    if (deleted == NULL)
        return NULL;
    PyObject *out = charmap_apply(self, arg, deleted);
    if (out == NULL) {
        Py_DECREF(deleted);
        return NULL;
    }
    PyObject *result = PyTuple_Pack(2, out, PyList_GET_SIZE(deleted) ? deleted : Py_None);
    Py_DECREF(out);
    Py_DECREF(deleted);
    return result;
}

/* ------------------------------------------------------------------------------------ */
/* Module functions                                                                      */
/* ------------------------------------------------------------------------------------ */

/* Per-text results -> joined strings. columns 0: each value is one chain's result and one
   string is returned; columns N: each value is a tuple of N results, a list of N strings. */
static PyObject *join_values(PyObject *values, PyObject *gap, Py_ssize_t columns)
{
    if (columns == 0)
        return join_column(values, -1, gap);
    PyObject *out = PyList_New(columns);
    if (out == NULL)
        return NULL;
    for (Py_ssize_t c = 0; c < columns; c++) {
        PyObject *s = join_column(values, c, gap);
        if (s == NULL) {
            Py_DECREF(out);
            return NULL;
        }
        PyList_SET_ITEM(out, c, s);
    }
    return out;
}

static PyObject *speedups_join_results(PyObject *module, PyObject *args)
{
    PyObject *values, *gap;
    Py_ssize_t columns;
    if (!PyArg_ParseTuple(args, "OUn:join_results", &values, &gap, &columns))
        return NULL;
    PyObject *list = PySequence_List(values);
    if (list == NULL)
        return NULL;
    PyObject *out = join_values(list, gap, columns);
    Py_DECREF(list);
    return out;
}

/* Length of the UTF-8 encoding of a str (surrogates count 3 bytes, as "surrogatepass"). */
static PyObject *speedups_utf8_length(PyObject *module, PyObject *arg)
{
    if (!PyUnicode_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "utf8_length: a str is required");
        return NULL;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(arg), total = 0;
    int kind = PyUnicode_KIND(arg);
    const void *data = PyUnicode_DATA(arg);
    if (PyUnicode_IS_ASCII(arg))
        return PyLong_FromSsize_t(n);
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        total += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    }
    return PyLong_FromSsize_t(total);
}

/* Start offsets of the wanted tokens, as extract.normalize.NormText.index: token k of the
   text split at single spaces starts at (lengths of tokens 0..k-1) + k - 1 in the text
   without its leading space (for k = 0 that formula, read with Python's ends[-1], gives
   the sum of all lengths - 1: kept as it is). Returns {token: [offsets]} for every
   wanted token, found or not. */
static PyObject *speedups_token_positions(PyObject *module, PyObject *args)
{
    PyObject *tokens, *wanted;
    if (!PyArg_ParseTuple(args, "O!O:token_positions", &PyList_Type, &tokens, &wanted))
        return NULL;
    if (!PyAnySet_Check(wanted)) {
        PyErr_SetString(PyExc_TypeError, "token_positions: wanted must be a set");
        return NULL;
    }
    PyObject *found = PyDict_New();
    PyObject *it = found ? PyObject_GetIter(wanted) : NULL;
    PyObject *w;
    if (it == NULL) {
        Py_XDECREF(found);
        return NULL;
    }
    while ((w = PyIter_Next(it)) != NULL) {
        PyObject *empty = PyList_New(0);
        int rc = empty ? PyDict_SetItem(found, w, empty) : -1;
        Py_XDECREF(empty);
        Py_DECREF(w);
        if (rc < 0) {
            Py_DECREF(it);
            Py_DECREF(found);
            return NULL;
        }
    }
    Py_DECREF(it);
    if (PyErr_Occurred()) {
        Py_DECREF(found);
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(tokens), total = 0, before = 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *t = PyList_GET_ITEM(tokens, k);
        if (!PyUnicode_Check(t)) {
            Py_DECREF(found);
            PyErr_SetString(PyExc_TypeError, "token_positions: tokens must be str");
            return NULL;
        }
        total += PyUnicode_GET_LENGTH(t);
    }
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *t = PyList_GET_ITEM(tokens, k);
        int hit = PySet_Contains(wanted, t);
        if (hit < 0) {
            Py_DECREF(found);
            return NULL;
        }
        if (hit) {
            PyObject *list = PyDict_GetItemWithError(found, t);
            PyObject *pos = list ? PyLong_FromSsize_t((k ? before : total) + k - 1) : NULL;
            if (pos == NULL || PyList_Append(list, pos) < 0) {
                Py_XDECREF(pos);
                Py_DECREF(found);
                if (!PyErr_Occurred())
                    PyErr_SetString(PyExc_KeyError, "token_positions: a wanted token vanished");
                return NULL;
            }
            Py_DECREF(pos);
        }
        before += PyUnicode_GET_LENGTH(t);
    }
    return found;
}

/* ------------------------------------------------------------------------------------ */
/* Types and module                                                                      */
/* ------------------------------------------------------------------------------------ */

static PyMethodDef Scanner_methods[] = {
    {"tokenize", (PyCFunction)Scanner_tokenize, METH_VARARGS,
     "tokenize(text, grammar, max_len) -> (words, starts, ends), or None if a plain word is longer than max_len"},
    {"words", (PyCFunction)Scanner_words, METH_VARARGS,
     "words(text, grammar, max_len) -> words, or None if a plain word is longer than max_len"},
    {"join", (PyCFunction)Scanner_join, METH_VARARGS,
     "join(text, grammar, max_len, cache, gap, columns) -> joined terms (see join_results), or None"},
    {NULL, NULL, 0, NULL}};

static PyTypeObject ScannerType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "search.analysis._speedups.Scanner",
    .tp_basicsize = sizeof(ScannerObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Scanner(first, next, separators, joiners): the tokenizer's plain-word fast path",
    .tp_init = (initproc)Scanner_init,
    .tp_new = PyType_GenericNew,
    .tp_methods = Scanner_methods,
};

static PyTypeObject PipelineType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "search.analysis._speedups.Pipeline",
    .tp_basicsize = sizeof(PipelineObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "Pipeline(steps): a run of token filters; calling it maps a term to a term or None",
    .tp_init = (initproc)Pipeline_init,
    .tp_new = PyType_GenericNew,
    .tp_call = (ternaryfunc)Pipeline_call,
    .tp_traverse = (traverseproc)Pipeline_traverse,
    .tp_clear = (inquiry)Pipeline_clear,
    .tp_dealloc = (destructor)Pipeline_dealloc,
};

static PyMethodDef CharMap_methods[] = {
    {"translate", (PyCFunction)CharMap_translate, METH_O, "translate(text): as text.translate(table)"},
    {"translate_tracking", (PyCFunction)CharMap_translate_tracking, METH_O,
     "translate_tracking(text) -> (translated, positions of deleted characters or None)"},
    {NULL, NULL, 0, NULL}};

static PyTypeObject CharMapType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "search.analysis._speedups.CharMap",
    .tp_basicsize = sizeof(CharMapObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "CharMap(table): str.translate for one-character replacements and deletions",
    .tp_init = (initproc)CharMap_init,
    .tp_new = PyType_GenericNew,
    .tp_dealloc = (destructor)CharMap_dealloc,
    .tp_methods = CharMap_methods,
};

static PyMethodDef module_methods[] = {
    {"join_results", speedups_join_results, METH_VARARGS,
     "join_results(values, gap, columns): per-token chain results as space-joined terms"},
    {"token_positions", speedups_token_positions, METH_VARARGS,
     "token_positions(tokens, wanted) -> {token: [start offsets]} (extract.normalize.NormText.index)"},
    {"utf8_length", speedups_utf8_length, METH_O, "utf8_length(text): len(text.encode('utf-8', 'surrogatepass'))"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "_speedups", "Compiled pieces of the analysis and extraction code.", -1, module_methods,
};

PyMODINIT_FUNC PyInit__speedups(void)
{
    if (PyType_Ready(&ScannerType) < 0 || PyType_Ready(&PipelineType) < 0 || PyType_Ready(&CharMapType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module_def);
    if (m == NULL)
        return NULL;
    if (PyModule_AddIntConstant(m, "API_VERSION", API_VERSION) < 0
        || PyModule_AddObjectRef(m, "Scanner", (PyObject *)&ScannerType) < 0
        || PyModule_AddObjectRef(m, "Pipeline", (PyObject *)&PipelineType) < 0
        || PyModule_AddObjectRef(m, "CharMap", (PyObject *)&CharMapType) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
