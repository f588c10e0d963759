"""How a requirement is told: an email's footer and quoted history, the messages of a thread.

:func:`told` rewrites the text so that it reads in the order things were said and without what
is not part of the ask: an email's sign-off and footer (names, phone numbers, unrelated paths
and role ARNs) are dropped, a ``P.S.`` after them is kept, and a quoted earlier message ("On
... wrote:" with ``>`` lines) is moved before the reply that answers it. :func:`message_starts`
finds where each message of a chat thread begins, so a value restated in a later message
replaces the earlier one instead of being a conflict.
"""

from __future__ import annotations

import re

from sagewright.agents.text.layout import corrected, laid_out
from sagewright.agents.text.numbers import words_to_digits

SIGN_OFF = re.compile(  # English and the sign-offs of other languages people write in
    r"^[ \t]*(?:--|thanks|thank you|many thanks|cheers|best|best regards|kind regards|regards|"
    r"warm regards|sincerely|br|viele grüße|viele gruesse|mit freundlichen grüßen|"
    r"liebe grüße|beste grüße|gruß|danke|vielen dank|merci|cordialement|bien à vous|gracias|"
    r"saludos|un saludo|atentamente|grazie|cordiali saluti|obrigado|obrigada|"
    r"atenciosamente)[ \t]*[,.!]*[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
POSTSCRIPT = re.compile(r"^[ \t]*p\.?[ \t]?s\.?(?::|\s)", re.IGNORECASE | re.MULTILINE)
QUOTE_HEADER = re.compile(
    r"^[ \t]*(?:>[ \t]*)*on [^\n]{0,160}wrote:[ \t]*$"
    r"|^[ \t]*-{2,}[ \t]*(?:forwarded|original) message[ \t]*-{2,}[ \t]*$"
    r"|^[ \t]*from:[^\n]*\n(?=(?:[ \t]*(?:sent|date|to|cc|subject):[^\n]*\n){2})",
    re.IGNORECASE | re.MULTILINE,
)
MAIL_HEADER = re.compile(r"^[ \t]*(?:from|sent|date|to|cc):[^\n]*$", re.IGNORECASE | re.MULTILINE)
TIMESTAMP_LINE = re.compile(
    r"^[ \t]*(?:\[\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]m)?\]"
    r"|[A-Z][\w.'-]*(?:[ \t]+[A-Z][\w.'-]*){0,3}[ \t]+\d{1,2}:\d{2}(?:[ \t]*[AaPp][Mm])?[ \t]*$"
    r"|[A-Z][\w.'-]*(?:[ \t]+[A-Z][\w.'-]*){0,3}[ \t]*\(\d{1,2}:\d{2}(?:[ \t]*[AaPp][Mm])?\):)",
    re.MULTILINE,
)
REPLY = "(reply)"  # marks where a reply starts once its quoted history is moved before it
SPEAKER = re.compile(
    r"^[ \t]*(?:\[[^\]\n]{1,20}\][ \t]*)?@?(?P<who>[A-Za-z][\w.-]{0,20}):[ \t]", re.M
)


# Spoken fillers ("the AUC is, like, above 0.85", "has to be, um, under 0.3") and a word said
# twice ("we take the, the churn data"): a voice note read as the sentence it means.
FILLER = re.compile(
    r",?[ \t]+(?:um+|uh+|erm+|er|uhm+|hmm+|ah+|like|you know|i mean|sort of|kind of)"
    r"[ \t]*,(?=[ \t])"
    r"|\b(?:um+|uh+|erm+|uhm+)\b,?",
    re.IGNORECASE,
)
STUTTER = re.compile(r"\b(\w+),[ \t]+\1\b", re.IGNORECASE)


def unfilled(text: str) -> str:
    """``text`` without spoken fillers and stutters."""
    return STUTTER.sub(r"\1", FILLER.sub("", text))


def told(text: str) -> str:
    """The requirement in the order it was said, without an email's footer or fillers."""
    text = corrected(words_to_digits(unfilled(laid_out(text))))
    header = QUOTE_HEADER.search(text)
    if header:
        reply, quoted = text[: header.start()], MAIL_HEADER.sub("", text[header.end() :])
        lines = [re.sub(r"^[ \t]*>+[ \t]?", "", line) for line in quoted.splitlines()]
        text = "\n".join(lines).strip() + f"\n\n{REPLY}\n" + reply.strip() + "\n"
    sign_off = SIGN_OFF.search(text)
    if sign_off:
        tail = text[sign_off.start() :]
        postscript = POSTSCRIPT.search(tail)
        text = text[: sign_off.start()] + (tail[postscript.start() :] if postscript else "")
    return text


def message_starts(text: str) -> list[int]:
    """Offsets where the messages of a thread start (empty when the text is one message).

    A message starts at a time-stamped line, at a ``P.S.``, or at ``name:`` when that name
    opens two or more lines (a YAML key seldom repeats, a speaker does).
    """
    starts = [m.start() for m in TIMESTAMP_LINE.finditer(text)]
    starts += [m.start() for m in POSTSCRIPT.finditer(text)]
    reply = text.find(f"\n{REPLY}\n")
    if reply >= 0:
        starts.append(reply + 1)
    speakers = [(m.start(), m["who"].lower()) for m in SPEAKER.finditer(text)]
    counts: dict[str, int] = {}
    for _, who in speakers:
        counts[who] = counts.get(who, 0) + 1
    starts += [at for at, who in speakers if counts[who] >= 2]
    starts = sorted(set(starts))
    return starts if len(starts) >= 2 or (starts and starts[0] > 0) else []
