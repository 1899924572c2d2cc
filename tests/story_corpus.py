"""A handful of crafted articles: versions of three wire stories, and articles on their own.

Shared by the story tests (grouping, collapsing, `indexer add`/`delete`, the article page).
"""
from __future__ import annotations

import json
from pathlib import Path

from search.model import StoredDocument

BRIDGE = ("أعلنت قيادة العمليات المشتركة في العراق اليوم أن القوات الأمنية استعادت السيطرة على الجسر الرئيسي "
          "في مدينة الرمادي بعد معارك استمرت ثلاثة أيام مع مسلحي تنظيم داعش، وقال المتحدث باسم القيادة إن "
          "وحدات الهندسة بدأت إزالة العبوات الناسفة التي زرعها التنظيم على طول الطريق المؤدي إلى الجسر، "
          "وأضاف أن طيران التحالف الدولي نفذ أربع غارات على مواقع التنظيم شمال المدينة، وأن العائلات النازحة "
          "لن تعود قبل تأمين الأحياء المحيطة بالكامل، مشيرا إلى أن عدد القتلى من المسلحين بلغ أكثر من أربعين.")
AID = ("وصلت إلى مطار أربيل الدولي صباح اليوم طائرة محملة بأربعين طنا من المساعدات الطبية والغذائية المقدمة "
       "إلى النازحين من محافظة نينوى، وقال مسؤول في منظمة الإغاثة إن الشحنة تضم أدوية للأمراض المزمنة "
       "وحليبا للأطفال وخياما ستوزع على ثلاثة مخيمات في أطراف المدينة خلال الأسبوع المقبل، وأوضح أن "
       "طائرتين أخريين ستصلان تباعا، وأن المنظمة تنسق مع السلطات المحلية لإيصال المساعدات إلى القرى البعيدة.")
TALKS = ("اختتم وزراء خارجية دول الجوار السوري اجتماعهم في عمان ببيان دعا إلى وقف فوري لإطلاق النار في "
         "حلب وفتح ممرات إنسانية آمنة للمدنيين المحاصرين، وأكد البيان رفض أي تقسيم لسوريا وضرورة الحل "
         "السياسي عبر مفاوضات جنيف، كما طالب المجتمع الدولي بزيادة الدعم للدول المضيفة للاجئين التي تتحمل "
         "أعباء اقتصادية كبيرة منذ سنوات، واتفق الوزراء على عقد اجتماع جديد في أنقرة الشهر المقبل.")
ALONE = [
    "افتتح محافظ البصرة مشروعا لتحلية مياه البحر يخدم مئتي ألف نسمة في الأقضية الجنوبية من المحافظة.",
    "ارتفعت أسعار النفط في الأسواق الآسيوية بعد تراجع المخزونات الأمريكية أكثر من المتوقع هذا الأسبوع.",
    "أعلن الاتحاد العراقي لكرة القدم موعد انطلاق الدوري الممتاز للموسم الجديد في منتصف الشهر المقبل.",
]


def _edit(text: str, prefix: str = "", drop_last: bool = False, swaps: tuple = ()) -> str:
    for old, new in swaps:
        text = text.replace(old, new)
    if drop_last:
        text = text[: text.rfind("،")] + "."
    return prefix + text


# id, date, source, body: ids are chosen so that id order and date order differ.
ARTICLES = [
    ("bridge-b", "2015-07-21T10:00:00", "okaz", _edit(BRIDGE, "بغداد - رويترز: ")),
    ("bridge-a", "2015-07-21T12:30:00", "alriyadh", _edit(BRIDGE, swaps=(("اليوم", "أمس"),))),
    ("bridge-c", "2015-07-22T08:00:00", "aawsat", _edit(BRIDGE, drop_last=True, swaps=(("أربع", "خمس"),))),
    ("aid-1", "2015-07-23T09:00:00", "alwatan", AID),
    ("aid-2", "2015-07-23T11:00:00", "sabq", _edit(AID, "أربيل - واس: ", swaps=(("صباح اليوم", "أمس"),))),
    ("talks-1", "2015-07-24T18:00:00", "aawsat", TALKS),
    ("talks-2", "2015-07-25T07:00:00", "okaz", _edit(TALKS, drop_last=True)),
    ("talks-3", "2015-07-25T09:00:00", "alyaum", _edit(TALKS, "عمان - أ ف ب: ", swaps=(("فوري", "عاجل"),))),
] + [(f"alone-{i}", f"2015-07-2{i}T06:00:00", "alriyadh", body) for i, body in enumerate(ALONE)]

STORIES = {"bridge-a": "bridge-b", "bridge-b": "bridge-b", "bridge-c": "bridge-b", "aid-1": "aid-1",
           "aid-2": "aid-1", "talks-1": "talks-1", "talks-2": "talks-1", "talks-3": "talks-1",
           **{f"alone-{i}": f"alone-{i}" for i in range(len(ALONE))}}


def documents(ids=None) -> list[StoredDocument]:
    return [StoredDocument(id=i, title=f"خبر {i}", body=body, date=date, source=source)
            for i, date, source, body in ARTICLES if ids is None or i in ids]


def write_jsonl(path: Path, ids=None, reverse: bool = False) -> Path:
    docs = documents(ids)
    with open(path, "w", encoding="utf-8") as fh:
        for d in reversed(docs) if reverse else docs:
            fh.write(json.dumps({"id": d.id, "title": d.title, "content": d.body, "date": d.date,
                                 "source": d.source}, ensure_ascii=False) + "\n")
    return path
