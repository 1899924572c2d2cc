"""Query text as people type it -> query text the parser reads (docs/query.md, "forgiving").

One left-to-right pass of regular expressions, each linear in the text's length. Changes
that only remove what cannot be meant (zero-width characters, kashida, emoji, the ``#`` of a
hashtag, typographic quotes and separators) are silent; changes that drop something the user
typed on purpose (``^boost``, ``~``, ``@handles``) add a notice.
"""
from __future__ import annotations

import regex

# Invisible format characters people paste inside words: ZWNJ/ZWJ, bidi marks and
# embeddings/isolates, BOM, word joiner, soft hyphen. Removed, joining the word again.
_INVISIBLE = regex.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad\u061c]+")
_KASHIDA = regex.compile(r"\u0640+")
# Emoji and their pieces (modifiers, variation selectors, keycaps, flags, tag sequences).
_EMOJI = regex.compile(r"[\p{Extended_Pictographic}\p{Emoji_Modifier}\p{Regional_Indicator}"
                       r"\ufe0e\ufe0f\u20e3\U000E0020-\U000E007F]+")
# Guillemets, curly and low quotes, double primes: all read as the phrase quote.
_QUOTES = regex.compile(r"[«»“”„‟″〝〞＂]")
# Separators people type between terms. A Latin comma between digits (1,200) stays.
_SEPARATORS = regex.compile(r"[،؛;؟!¡]|(?<![0-9]),|,(?![0-9])")
# #hashtag -> its words; an underscore in a hashtag separates words.
_HASHTAG = regex.compile(r"(?<![\w#])#+(\w+)")
_HANDLE = regex.compile(r"(?<![\w@])@(\w+)")
# ^boost and ~fuzziness/proximity after a word or a closing quote.
_BOOST = regex.compile(r"\^[0-9.]*")
_TILDE = regex.compile(r"~[0-9.]*")
# Arabic letters glued to digits (داعش2014, ٣٠٠جندي): two words. Latin model names (F16) stay.
_ARABIC_DIGITS = regex.compile(r"(?<=\p{Script=Arabic})(?=\p{Nd})(?<!\p{Nd})|(?<=\p{Nd})(?=\p{Script=Arabic})(?!\p{Nd})")

NOTICE_HANDLE = "تم تجاهل اسم الحساب {}: الأرشيف لا يحوي حسابات التواصل الاجتماعي."
NOTICE_BOOST = "الترجيح بعلامة ^ غير مدعوم؛ تم تجاهله."
NOTICE_TILDE = "البحث التقريبي بعلامة ~ غير مدعوم؛ تم تجاهله."


def tidy(text: str) -> tuple[str, list[str]]:
    """Remove typing noise from query text; return the text and notices for meaning changes."""
    notices: list[str] = []
    text = _INVISIBLE.sub("", text)
    text = _KASHIDA.sub("", text)
    text = _EMOJI.sub(" ", text)
    text = _QUOTES.sub('"', text)
    handles = _HANDLE.findall(text)
    if handles:
        text = _HANDLE.sub(" ", text)
        notices.append(NOTICE_HANDLE.format("، ".join("@" + h for h in dict.fromkeys(handles))))
    text = _HASHTAG.sub(lambda m: " " + m.group(1).replace("_", " ") + " ", text)
    text = _SEPARATORS.sub(" ", text)
    if "^" in text:
        text = _BOOST.sub(" ", text)
        notices.append(NOTICE_BOOST)
    if "~" in text:
        text = _TILDE.sub(" ", text)
        notices.append(NOTICE_TILDE)
    text = _ARABIC_DIGITS.sub(" ", text)
    return " ".join(text.split()), notices
