"""Write China's prefecture-level divisions (地级市, 地区, 自治州, 盟) into extractors/data/lexicons/region.jsonl.

    .venv/bin/python scripts/gen_prefectures.py

Public administrative data, one compact table below. Each province line lists its divisions as
``全名 slug [form ...]``, separated by ``;``. Forms: a plain form is a strong alias, ``~form`` a weak one
(an ordinary word or a likely given name: 大同, 金华, 来宾), ``-`` no short form at all. A city given no form
gets its name without 市 as strong alias. ``form>chars`` guards the form against a following character
(三明>治: not 三明治), ``form<chars`` against a preceding one (东营<广: not 广东营商环境). Provincial capitals
and other cities already written by hand in region.jsonl keep their entries. Running it again replaces the
lines it wrote before (their ids) and keeps every other line.
"""
from __future__ import annotations

import json
from pathlib import Path

REGION_FILE = Path(__file__).resolve().parents[1] / "extractors" / "data" / "lexicons" / "region.jsonl"

TABLE = """
hebei: 唐山市 tangshan; 秦皇岛市 qinhuangdao; 邯郸市 handan; 邢台市 xingtai; 保定市 baoding 保定<确担; 张家口市 zhangjiakou; 承德市 chengde; 沧州市 cangzhou; 廊坊市 langfang; 衡水市 hengshui
shanxi: 大同市 datong ~大同; 阳泉市 yangquan; 长治市 changzhi 长治>久; 晋城市 jincheng; 朔州市 shuozhou; 晋中市 jinzhong; 运城市 yuncheng; 忻州市 xinzhou; 临汾市 linfen; 吕梁市 lvliang
inner-mongolia: 包头市 baotou; 乌海市 wuhai; 赤峰市 chifeng; 通辽市 tongliao; 鄂尔多斯市 ordos; 呼伦贝尔市 hulunbuir; 巴彦淖尔市 bayannur; 乌兰察布市 ulanqab; 兴安盟 hinggan ~兴安; 锡林郭勒盟 xilingol 锡林郭勒; 阿拉善盟 alxa 阿拉善
liaoning: 鞍山市 anshan; 抚顺市 fushun; 本溪市 benxi; 丹东市 dandong; 锦州市 jinzhou; 营口市 yingkou 营口>径<经; 阜新市 fuxin; 辽阳市 liaoyang; 盘锦市 panjin; 铁岭市 tieling; 朝阳市 chaoyang-ln ~朝阳; 葫芦岛市 huludao
jilin: 吉林市 jilin-city -; 四平市 siping 四平>八; 辽源市 liaoyuan; 通化市 tonghua; 白山市 baishan ~白山; 松原市 songyuan; 白城市 baicheng; 延边朝鲜族自治州 yanbian 延边州 延边
heilongjiang: 齐齐哈尔市 qiqihar; 鸡西市 jixi; 鹤岗市 hegang; 双鸭山市 shuangyashan; 大庆市 daqing ~大庆; 伊春市 yichun-hl; 佳木斯市 jiamusi; 七台河市 qitaihe; 牡丹江市 mudanjiang; 黑河市 heihe ~黑河; 绥化市 suihua; 大兴安岭地区 daxinganling ~大兴安岭
jiangsu: 徐州市 xuzhou; 常州市 changzhou; 南通市 nantong; 连云港市 lianyungang; 淮安市 huaian; 盐城市 yancheng; 扬州市 yangzhou; 镇江市 zhenjiang; 泰州市 taizhou-js; 宿迁市 suqian
zhejiang: 温州市 wenzhou; 嘉兴市 jiaxing; 湖州市 huzhou; 绍兴市 shaoxing; 金华市 jinhua ~金华; 衢州市 quzhou; 舟山市 zhoushan; 台州市 taizhou-zj; 丽水市 lishui 丽水<美
anhui: 芜湖市 wuhu; 蚌埠市 bengbu; 淮南市 huainan; 马鞍山市 maanshan; 淮北市 huaibei; 铜陵市 tongling; 安庆市 anqing; 黄山市 huangshan; 滁州市 chuzhou; 阜阳市 fuyang; 宿州市 suzhou-ah; 六安市 luan 六安>全; 亳州市 bozhou; 池州市 chizhou; 宣城市 xuancheng
fujian: 莆田市 putian; 三明市 sanming 三明>治; 泉州市 quanzhou; 漳州市 zhangzhou; 南平市 nanping; 龙岩市 longyan; 宁德市 ningde
jiangxi: 景德镇市 jingdezhen; 萍乡市 pingxiang; 九江市 jiujiang; 新余市 xinyu; 鹰潭市 yingtan; 赣州市 ganzhou; 吉安市 jian; 宜春市 yichun-jx; 抚州市 fuzhou-jx; 上饶市 shangrao
shandong: 淄博市 zibo; 枣庄市 zaozhuang; 东营市 dongying 东营>商销<广山; 烟台市 yantai; 潍坊市 weifang; 济宁市 jining; 泰安市 taian; 威海市 weihai; 日照市 rizhao ~日照; 临沂市 linyi; 德州市 dezhou; 聊城市 liaocheng; 滨州市 binzhou; 菏泽市 heze
henan: 开封市 kaifeng ~开封; 洛阳市 luoyang; 平顶山市 pingdingshan; 安阳市 anyang; 鹤壁市 hebi; 新乡市 xinxiang 新乡>村; 焦作市 jiaozuo; 濮阳市 puyang; 许昌市 xuchang ~许昌; 漯河市 luohe; 三门峡市 sanmenxia; 南阳市 nanyang; 商丘市 shangqiu; 信阳市 xinyang; 周口市 zhoukou; 驻马店市 zhumadian
hubei: 黄石市 huangshi ~黄石; 十堰市 shiyan; 宜昌市 yichang; 襄阳市 xiangyang; 鄂州市 ezhou; 荆门市 jingmen; 孝感市 xiaogan; 荆州市 jingzhou; 黄冈市 huanggang; 咸宁市 xianning; 随州市 suizhou; 恩施土家族苗族自治州 enshi 恩施州 恩施; 仙桃市 xiantao; 潜江市 qianjiang; 天门市 tianmen ~天门; 神农架林区 shennongjia 神农架
hunan: 株洲市 zhuzhou; 湘潭市 xiangtan; 衡阳市 hengyang; 邵阳市 shaoyang; 岳阳市 yueyang; 常德市 changde ~常德; 张家界市 zhangjiajie; 益阳市 yiyang; 郴州市 chenzhou; 永州市 yongzhou; 怀化市 huaihua; 娄底市 loudi; 湘西土家族苗族自治州 xiangxi 湘西州 ~湘西
guangdong: 韶关市 shaoguan; 汕头市 shantou; 江门市 jiangmen; 湛江市 zhanjiang; 茂名市 maoming; 肇庆市 zhaoqing; 惠州市 huizhou; 梅州市 meizhou; 汕尾市 shanwei; 河源市 heyuan; 阳江市 yangjiang; 清远市 qingyuan; 中山市 zhongshan ~中山; 潮州市 chaozhou; 揭阳市 jieyang; 云浮市 yunfu
guangxi: 柳州市 liuzhou; 桂林市 guilin; 梧州市 wuzhou; 北海市 beihai ~北海; 防城港市 fangchenggang; 钦州市 qinzhou; 贵港市 guigang; 玉林市 yulin-gx; 百色市 baise; 贺州市 hezhou; 河池市 hechi; 来宾市 laibin ~来宾; 崇左市 chongzuo
hainan: 三亚市 sanya; 三沙市 sansha; 儋州市 danzhou
sichuan: 自贡市 zigong; 攀枝花市 panzhihua; 泸州市 luzhou; 德阳市 deyang; 绵阳市 mianyang; 广元市 guangyuan; 遂宁市 suining; 内江市 neijiang; 乐山市 leshan; 南充市 nanchong; 眉山市 meishan; 宜宾市 yibin; 广安市 guangan 广安>全<推; 达州市 dazhou; 雅安市 yaan; 巴中市 bazhong; 资阳市 ziyang; 阿坝藏族羌族自治州 aba 阿坝州 阿坝; 甘孜藏族自治州 garze 甘孜州 甘孜; 凉山彝族自治州 liangshan 凉山州 凉山
guizhou: 六盘水市 liupanshui; 遵义市 zunyi; 安顺市 anshun 安顺<平; 毕节市 bijie; 铜仁市 tongren; 黔西南布依族苗族自治州 qianxinan 黔西南州 黔西南; 黔东南苗族侗族自治州 qiandongnan 黔东南州 黔东南; 黔南布依族苗族自治州 qiannan 黔南州 黔南
yunnan: 曲靖市 qujing; 玉溪市 yuxi; 保山市 baoshan; 昭通市 zhaotong; 丽江市 lijiang; 普洱市 puer ~普洱; 临沧市 lincang; 楚雄彝族自治州 chuxiong 楚雄州 楚雄; 红河哈尼族彝族自治州 honghe 红河州 ~红河; 文山壮族苗族自治州 wenshan 文山州 ~文山; 西双版纳傣族自治州 xishuangbanna 西双版纳州 西双版纳; 大理白族自治州 dali 大理州 大理>石; 德宏傣族景颇族自治州 dehong 德宏州 德宏; 怒江傈僳族自治州 nujiang 怒江州 ~怒江; 迪庆藏族自治州 diqing 迪庆州 迪庆
tibet: 日喀则市 shigatse; 昌都市 qamdo; 林芝市 nyingchi ~林芝; 山南市 shannan ~山南; 那曲市 nagqu; 阿里地区 ngari -
shaanxi: 铜川市 tongchuan; 宝鸡市 baoji; 咸阳市 xianyang; 渭南市 weinan; 延安市 yanan; 汉中市 hanzhong; 榆林市 yulin-sn; 安康市 ankang ~安康; 商洛市 shangluo
gansu: 嘉峪关市 jiayuguan; 金昌市 jinchang; 白银市 baiyin ~白银; 天水市 tianshui; 武威市 wuwei; 张掖市 zhangye; 平凉市 pingliang; 酒泉市 jiuquan; 庆阳市 qingyang; 定西市 dingxi; 陇南市 longnan; 临夏回族自治州 linxia 临夏州 临夏; 甘南藏族自治州 gannan 甘南州 甘南
qinghai: 海东市 haidong 海东<上; 海北藏族自治州 haibei 海北州; 黄南藏族自治州 huangnan 黄南州; 海南藏族自治州 hainan-pref 海南州; 果洛藏族自治州 golog 果洛州 果洛; 玉树藏族自治州 yushu 玉树州 ~玉树; 海西蒙古族藏族自治州 haixi 海西州
ningxia: 石嘴山市 shizuishan; 吴忠市 wuzhong ~吴忠; 固原市 guyuan; 中卫市 zhongwei ~中卫
xinjiang: 克拉玛依市 karamay; 吐鲁番市 turpan; 哈密市 hami 哈密>瓜; 昌吉回族自治州 changji 昌吉州 昌吉; 博尔塔拉蒙古自治州 bortala 博州 博尔塔拉; 巴音郭楞蒙古自治州 bayingolin 巴州 巴音郭楞; 阿克苏地区 aksu 阿克苏; 克孜勒苏柯尔克孜自治州 kizilsu 克州 克孜勒苏; 喀什地区 kashgar 喀什; 和田地区 hotan ~和田; 伊犁哈萨克自治州 ili 伊犁州 伊犁; 塔城地区 tacheng 塔城; 阿勒泰地区 altay 阿勒泰; 石河子市 shihezi
"""
# one-character forms and forms a text uses for something else are never strong: 巴州 and 博州 are also
# a county and an old name elsewhere, so they stay weak
WEAK_ONLY = {"巴州", "博州", "克州"}


def parse(table: str) -> list[dict]:
    rows = []
    for line in table.strip().splitlines():
        province, _, items = line.partition(":")
        for item in items.split(";"):
            name, slug, *forms = item.split()
            rows.append(entry(province.strip(), name, slug, forms))
    return rows


def entry(province: str, name: str, slug: str, forms: list[str]) -> dict:
    if not forms:
        forms = [name[:-1]] if name.endswith("市") else []
    strong, weak, guards = [], [], {}
    for form in forms:
        if form == "-":
            continue
        form, _, before = form.partition("<")
        form, _, after = form.partition(">")
        guard = {key: list(chars) for key, chars in (("not_followed_by", after), ("not_preceded_by", before)) if chars}
        if guard:
            guards[form.lstrip("~")] = guard
        target = weak if form.startswith("~") or form in WEAK_ONLY else strong
        target.append(form.lstrip("~"))
    row = {"id": f"region:{slug}", "type": "Region", "name": name, "aliases": strong, "weak_aliases": weak}
    if guards:
        row["guards"] = guards
    row["part_of"] = f"region:{province}"
    row["level"] = "city" if name.endswith("市") else "prefecture"
    return row


def main() -> None:
    rows = parse(TABLE)
    ids = {row["id"] for row in rows}
    lines = REGION_FILE.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if line.strip() and json.loads(line)["id"] not in ids]
    names = {json.loads(line)["name"] for line in kept}
    rows = [row for row in rows if row["name"] not in names]
    text = "\n".join(kept + [json.dumps(row, ensure_ascii=False) for row in rows]) + "\n"
    REGION_FILE.write_text(text, encoding="utf-8")
    print(f"{len(rows)} prefecture-level entries written to {REGION_FILE}")


if __name__ == "__main__":
    main()
