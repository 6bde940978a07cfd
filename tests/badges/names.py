"""Names as people write them, in many scripts, for the badge tests: given names and family names per script,
combined into a few hundred full names, plus names of exactly 70 characters."""
from __future__ import annotations

from itertools import cycle, islice

SCRIPTS = {
    "latin": (["Zoë", "María José", "Łukasz", "Ngozi", "Søren", "Çağla", "Jürgen", "Ana", "Dvořák", "Ștefan"],
              ["Ångström-Łukasiewicz", "Fernández", "Okafor", "Müller", "Šťastný", "Kowalczyk", "Øvregård",
               "Gonçalves", "Wolfeschlegelsteinhausenbergerdorff", "Þórðardóttir"]),
    "vietnamese": (["Nguyễn Thị", "Trần Văn", "Phạm Ngọc", "Lê Thị Hồng", "Đặng Quốc"],
                   ["Minh Khai", "Hưng", "Ánh", "Nhung", "Bảo Ngọc"]),
    "arabic": (["محمد", "فاطمة", "عبد الرحمن", "نور", "يوسف"], ["عبد الرحمن", "الحسيني", "بن علي", "القحطاني", "منصور"]),
    "hebrew": (["דוד", "שרה", "יוסף", "מרים", "אברהם"], ["כהן", "לוי", "מזרחי", "פרץ", "ביטון"]),
    "devanagari": (["अनन्या", "राहुल", "प्रियंका", "अर्जुन", "श्रुति"], ["शर्मा", "वर्मा", "त्रिपाठी", "श्रीवास्तव", "कृष्णमूर्ति"]),
    "bengali": (["অনির্বাণ", "সুস্মিতা", "রবীন্দ্রনাথ", "তৃষা", "ঋত্বিক"], ["চক্রবর্তী", "ঠাকুর", "বন্দ্যোপাধ্যায়", "দত্ত", "মুখোপাধ্যায়"]),
    "thai": (["สมชาย", "ศิริพร", "ณัฐวุฒิ", "ปิยะนุช", "กฤษณ์"], ["ใจดี", "ศรีสุข", "วงศ์สวัสดิ์", "ธนาคุณ", "พุ่มพฤกษ์"]),
    "chinese": (["小明", "欣怡", "伟", "子涵", "浩然"], ["王", "李", "张", "欧阳", "诸葛"]),
    "japanese": (["太郎", "さくら", "ゆうと", "翔太", "はるか"], ["山田", "佐藤", "髙橋", "渡邊", "ワタナベ"]),
    "korean": (["민준", "서연", "지호", "하은", "도윤"], ["김", "이", "박", "최", "남궁"]),
    "cyrillic": (["Алексей", "Ольга", "Ярослав", "Ксения", "Щедрин"], ["Смирнов", "Пушкина-Долгорукова", "Ёлкин",
                                                                    "Щербаков", "Жуковская"]),
    "amharic": (["አበበ", "ትዕግሥት", "ኃይሌ", "መሠረት", "ጥሩነሽ"], ["ቢቂላ", "ገብረሥላሴ", "ዲባባ", "ደፋር", "ወልደ ማርያም"]),
    "greek": (["Γιώργος", "Ελένη", "Ευάγγελος", "Ϊόλη", "Χρυσούλα"], ["Παπαδόπουλος", "Οικονόμου", "Αθανασίου",
                                                                   "Χατζηγεωργίου", "Καραμανλής"]),
    "tamil": (["கார்த்திக்", "ப்ரியா"], ["சுப்பிரமணியன்", "ஸ்ரீநிவாசன்"]),
    "emoji": (["Ana 🌻", "🎉 Li", "Sam 👩🏽‍💻"], ["Smith 🇩🇪", "Okafor ✨", "Berg"]),
}
EAST_ASIAN = {"chinese", "japanese", "korean"}


def full_names(count: int) -> list[tuple[str, str]]:
    """``count`` (script, full name) pairs, cycling through the scripts; family name first in East Asia."""
    pairs = []
    for script, (given, family) in SCRIPTS.items():
        for i, first in enumerate(given):
            for j, last in enumerate(family):
                name = f"{last}{first}" if script in ("chinese", "japanese") else (
                    f"{last} {first}" if script == "korean" else f"{first} {last}")
                pairs.append((script, name))
    by_script: dict[str, list[str]] = {}
    for script, name in pairs:
        by_script.setdefault(script, []).append(name)
    rounds = zip(*[cycle(names) for names in by_script.values()])
    flat = ((script, name) for row in rounds for script, name in zip(by_script, row))
    return list(islice(flat, count))


def seventy(script: str) -> str:
    """A name of exactly 70 characters in ``script`` (its names strung together)."""
    given, family = SCRIPTS[script]
    words = list(islice(cycle(given + family), 60))
    joiner = "" if script in ("chinese", "japanese") else " "
    text = joiner.join(words)[:69].rstrip()
    return text + given[0][0] * (70 - len(text))
