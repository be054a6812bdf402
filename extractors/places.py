"""Places by their shapes, around the places the dictionary knows: zones named after a city (温州瓯江口新区,
合肥高新技术产业开发区) or standing alone after a lead-in (在滨海综合实验区); districts and counties after their
city (天津市西青区) or listed with a known one (滨海新区、西青区、东丽区); city clusters and economic circles
(长江中游城市群); the foreign city where a meeting is held (在新西兰奥克兰举行)."""
from __future__ import annotations

import re

from extractors.lexicon import Lexicon
from extractors.records import Hit
from extractors.rules import clause_inside, finditer_near, trim_left

ZONE_HEADS = (r"(?:高新技术产业开发区|经济技术开发区|新技术开发区|高新技术开发区|综合实验区|自由贸易试验区|自由贸易港|"
              r"自贸试验区|综合保税区|产城融合示范区|高新区|经开区|开发区|新区|自贸区|自贸港)")
# 温州瓯江口新区: a known place, at most eight characters of its own name, a zone's head
RE_ZONE_AFTER_PLACE = re.compile(rf"(?P<own>[\u4e00-\u9fff]{{0,8}}?){ZONE_HEADS}")
# 在滨海综合实验区: a zone with no known place, right after a lead-in or at a line's start
RE_ZONE_ALONE = re.compile(
    rf"(?:(?<=[在于和与及、,:;(“])|^)(?P<own>[\u4e00-\u9fff]{{2,4}}?)(?:综合实验区|自由贸易港|自由贸易试验区|高新技术产业开发区|"
    rf"经济技术开发区|新区)", re.M)
RE_ZONE_ANCHOR = re.compile("综合实验区|自由贸易|高新技术产业开发区|经济技术开发区|新区")
# a kind of zone, not one zone: 国家级新区, 各开发区, 省级高新区
RE_GENERIC_ZONE = re.compile(r"^(?:国家级?|省级|市级|各|全|本|该|其他|有关|相关|所在|一批|多个|部分|重点|现有|试点|示范|城市|都市|"
                             r"建设|打造|培育|现代化|世界级|国际|大型|区域|中心|[一二三四五六七八九十两几数多][个类批家大种级])|现代化|一体化|高质量")
# 天津市西青区, 江苏省如东县: a district, county or county-level city right after its city or province
RE_PART = re.compile(r"(?P<own>[\u4e00-\u9fff]{1,3}?)(?P<kind>新区|区|县|市|旗)(?![场级长委属区县内外域间民域])")
BAD_PART_START = set("各全本该城超上下市县区省地州乡镇村每两三四五六七八九十一二这那其所直辖属郊辖旧老中城")
# 工业园区, 保税港区, 风景区: a kind of area inside a city, not a district
RE_NOT_PART = re.compile(r"园|业|技|经济|开发|保税|功能|片|社|校|景|库|港|营|矿|林|辖|试验|示范|保护|灾|疫|重点|核心|服务|商务|"
                         r"居住|生活|办公|厂|监|管|风险|高|低|中|险|控|封|防")
LIST_LEAD = set("在于和与及,:;(“\n ")
# 滨海新区、西青区、东丽区: the items of a list of districts or counties
RE_PART_LIST = re.compile(r"(?:[\u4e00-\u9fff]{1,4}?(?:新区|区|县)、)+[\u4e00-\u9fff]{1,4}?(?:新区|区|县)")
RE_PART_LIST_ANCHOR = re.compile("[区县]、")
PART_LIST_REACH = 7       # an item (≤ 6) either side of each 、 of the list
# 长江中游城市群, 成渝地区双城经济圈: a cluster or circle after a lead-in
RE_CLUSTER = re.compile(r"(?:(?<=[在于和与及、,:;“])|^|(?<=推动|推进|服务|融入|对接|加快|围绕|打造))"
                        r"(?P<own>[\u4e00-\u9fff]{2,10}?)(?:城市群|都市圈|经济圈)", re.M)
RE_CLUSTER_ANCHOR = re.compile("城市群|都市圈|经济圈")
# 闽台地区, 湘鄂赣地区, 江浙沪地区: the one-character names of provinces joined before 地区
RE_ABBREVIATED = re.compile(r"(?:(?<=[在于和与及对、,:;(“])|(?<=推动|推进|加强|促进|深化|面向|覆盖|服务|支持)|^)"
                            r"(?P<own>江?[京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵黔云滇藏陕甘陇青宁新港澳台]{2,4})地区", re.M)
RE_ABBREVIATED_ANCHOR = re.compile("地区")
ABBREVIATED_REACH = 6
# 在新西兰奥克兰举行: a foreign city between its country and the verb of a meeting
RE_VENUE = re.compile(r"(?P<city>[\u4e00-\u9fff]{2,5}?)(?:成功|顺利|隆重)?(?:举行|召开|举办|开幕|闭幕)")
NOT_CITY_END = set("部会馆厅心所院楼场处局")
LOCAL_LEVELS = ("province", "autonomous_region", "municipality", "city", "prefecture")
# 汉族,江苏如皋人, 籍贯:浙江诸暨: the native place of a personnel profile, after its province
RE_NATIVE = re.compile(r"(?P<place>[\u4e00-\u9fff]{2})人?(?=[,;。])")
RE_PROFILE_LEAD = re.compile(r"(?:族,|籍贯:)$")


def region_shapes(text: str, dictionary: list[Hit], lexicon: Lexicon) -> list[Hit]:
    """Regions found by shape next to the dictionary's places, and zones and clusters standing alone."""
    regions = [h for h in dictionary if h.type == "Region"]
    hits = []
    for region in regions:
        entry = lexicon.get(region.source)
        level = entry.level if entry else None
        if level in LOCAL_LEVELS:
            hits += _zone_after(text, region) or _part_after(text, region, level) or _native_place(text, region, level)
        elif level == "country" and region.source != "region:china":
            hits += _venue_after(text, region)
    if RE_ZONE_ANCHOR.search(text):
        hits += [h for h in (_shape_hit(text, m, "rx:region-zone") for m in RE_ZONE_ALONE.finditer(text)) if h]
    if RE_CLUSTER_ANCHOR.search(text):
        hits += [h for h in (_shape_hit(text, m, "rx:region-cluster") for m in RE_CLUSTER.finditer(text)) if h]
    hits += [Hit(m.start("own"), m.end(), "Region", text[m.start("own"):m.end()], "rx:region-abbreviated")
             for m in finditer_near(RE_ABBREVIATED, RE_ABBREVIATED_ANCHOR, ABBREVIATED_REACH, text)]
    if "区、" in text or "县、" in text:
        hits += _listed_parts(text, regions + hits)
    return hits


def _zone_after(text: str, region: Hit) -> list[Hit]:
    match = RE_ZONE_AFTER_PLACE.match(text, region.end)
    if not match or clause_inside(match.group("own")) or "的" in match.group("own"):
        return []
    return [Hit(region.start, match.end(), "Region", text[region.start:match.end()], "rx:region-zone")]


def _part_after(text: str, region: Hit, level: str) -> list[Hit]:
    if level == "prefecture" or text[region.end - 1] not in "市省区":
        return []                 # 天津市西青区, not 天津西青 or 北京各区
    match = RE_PART.match(text, region.end)
    if not match or match.group("own")[0] in BAD_PART_START or RE_NOT_PART.search(match.group("own")) \
            or clause_inside(match.group()):
        return []
    if match.group("kind") == "市" and level not in ("province", "autonomous_region"):
        return []                 # a county-level city is written after its province
    return [Hit(match.start(), match.end(), "Region", match.group(), "rx:region-part")]


def _native_place(text: str, region: Hit, level: str) -> list[Hit]:
    if level not in ("province", "autonomous_region") or not RE_PROFILE_LEAD.search(text, max(0, region.start - 3),
                                                                                      region.start):
        return []
    match = RE_NATIVE.match(text, region.end)
    if not match or match.group("place")[0] in BAD_PART_START:
        return []                 # a profile's two characters after the province are a place (如皋 is no clause)
    return [Hit(match.start(), match.end("place"), "Region", match.group("place"), "rx:region-native")]


def _venue_after(text: str, country: Hit) -> list[Hit]:
    if text[country.start - 1:country.start] != "在":
        return []
    match = RE_VENUE.match(text, country.end)
    if not match or clause_inside(match.group("city")) or match.group("city")[-1] in NOT_CITY_END:
        return []
    return [Hit(match.start("city"), match.end("city"), "Region", match.group("city"), "rx:region-venue")]


def _shape_hit(text: str, match: re.Match, source: str) -> Hit | None:
    """The zone or cluster from where its own name starts (after the last verb before it)."""
    start = match.start("own") + trim_left(match.group("own"))
    own = text[start:match.end("own")]
    if len(own) < 2 or RE_GENERIC_ZONE.match(own) or clause_inside(own) or "的" in own:
        return None
    return Hit(start, match.end(), "Region", text[start:match.end()], source)


def _plain_list(text: str, items: list[tuple[int, int]]) -> bool:
    """西湖区、拱墅区、滨江区 after a lead-in: names of two or three characters before 区/县, none a kind of area."""
    return (items[0][0] == 0 or text[items[0][0] - 1] in LIST_LEAD) and all(
        3 <= b - a <= 4 and text[a] not in BAD_PART_START and not RE_NOT_PART.search(text[a:b])
        and not clause_inside(text[a:b]) for a, b in items)


def _listed_parts(text: str, known: list[Hit]) -> list[Hit]:
    """Every district or county of a list in which one item is a place already known, or of a plain list."""
    spans = {(h.start, h.end) for h in known}
    starts_by_end = {h.end: h.start for h in known}
    hits = []
    for match in finditer_near(RE_PART_LIST, RE_PART_LIST_ANCHOR, PART_LIST_REACH, text):
        offset = match.start() + trim_left(match.group().split("、")[0])
        items = []
        for item in text[offset:match.end()].split("、"):
            items.append((offset, offset + len(item)))
            offset += len(item) + 1
        first_end = items[0][1]           # 湖州市德清县、安吉县: the list's match may open inside the first place
        items[0] = (max(items[0][0], starts_by_end.get(first_end, items[0][0])), first_end)
        if not any(item in spans for item in items) and not _plain_list(text, items):
            continue
        hits += [Hit(a, b, "Region", text[a:b], "rx:region-part") for a, b in items
                 if (a, b) not in spans and text[a] not in BAD_PART_START and not RE_NOT_PART.search(text[a:b])
                 and not clause_inside(text[a:b])]
    return hits
