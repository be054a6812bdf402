from __future__ import annotations

from kg.pipeline import extract_text


def statistics(text):
    return {f.arg("subject"): f for f in extract_text(text).facts if f.kind == "statistic"}


def test_numbers_change_belongs_to_the_statistic_it_follows():
    stats = statistics("全国共有认证机构520家、检验检测机构4.1万家，全年颁发认证证书200万张，同比增长9.5%。")
    assert stats["认证证书"].arg("change") == "+9.5% year on year"      # 同比 (Conventions: "+3% year on year")
    assert stats["认证机构"].arg("change") is None and stats["检验检测机构"].arg("value") == 41000


def test_numbers_respective_changes_are_shared_out_in_order():
    stats = statistics("我国共有认证机构400家、检验检测机构30000家,比五年前分别增长12.5%和3.5%。")
    assert stats["认证机构"].arg("change") == "+12.5% vs 五年前"
    assert stats["检验检测机构"].arg("change") == "+3.5% vs 五年前"


def test_numbers_counts_of_other_things_are_not_statistics():
    assert statistics("会议部署了3个方面的工作,国务院第185次常务会议,1-2家示范区。") == {}


def test_numbers_target_with_horizon():
    targets = [f for f in extract_text("通过3-5年努力,我国检测体系基本完善,形成一批知名品牌。").facts if f.kind == "target"]
    assert {(f.arg("subject"), f.arg("goal"), f.arg("horizon")) for f in targets} == {
        ("检测体系", "基本完善", "通过3-5年努力"), ("知名品牌", "形成一批", "通过3-5年努力")}


def test_numbers_a_sentence_opening_with_a_year_dates_its_counts_by_that_year():
    stats = statistics("发布时间:2023-02-01\n2022年,全国新增认证机构35家。截至2022年底,全国共有检验检测机构5万家。")
    assert stats["新增认证机构"].arg("date") == "2022"
    assert stats["检验检测机构"].arg("date") == "2022-12-31"       # a stock at year end (Conventions)


def test_numbers_a_verb_before_the_counted_noun_is_not_part_of_the_subject():
    assert set(statistics("全年共完成评审任务900项。")) == {"评审任务"}


def test_numbers_targets_that_set_a_number():
    targets = {f.arg("subject"): f for f in extract_text("到2030年,检验检测营业收入突破8000亿元。").facts
               if f.kind == "target"}
    assert targets["检验检测营业收入"].arg("goal") == "突破8000亿元"
    assert targets["检验检测营业收入"].arg("horizon") == "到2030年"


def test_numbers_the_year_a_clause_opens_with_dates_the_counts_after_it():
    stats = statistics("发布时间:2015-01-16\n会议指出,2014年全国认证机构达到170家,检测机构超过2.8万家。2013年以来累计颁发证书9万张。")
    assert stats["认证机构"].arg("date") == "2014" and stats["检测机构"].arg("date") == "2014"
    assert stats["证书"].arg("date") == "2015-01-16"


def test_numbers_a_change_in_the_statistics_own_unit():
    stats = statistics("全年共发放认证证书2400张,比上年增加310张。")
    assert stats["认证证书"].arg("change") == "+310张 vs 上年"


def test_numbers_a_cut_word_that_heads_the_subject_stays_in_it():
    stats = statistics("全省获证组织达到3.2万家,同比增长5.1%。")
    assert stats["获证组织"].arg("value") == 32000 and stats["获证组织"].arg("change") == "+5.1% year on year"


def test_numbers_a_deadline_after_strive_is_the_targets_horizon():
    targets = [f for f in extract_text("力争在2022年底前实现检验检测报告网上查询全覆盖。").facts if f.kind == "target"]
    assert [(f.arg("goal"), f.arg("horizon")) for f in targets] == [("全覆盖", "2022年底前")]


def test_numbers_the_year_opening_a_sentence_dates_counts_after_its_semicolons():
    stats = statistics("发布时间:2020-01-10\n会议指出,2019年,全国新增认证机构60家;检验检测机构达到4.4万家。")
    assert stats["检验检测机构"].arg("date") == "2019"


def test_numbers_a_stock_is_dated_by_its_paragraphs_as_of_date_and_a_flow_by_its_year():
    stats = statistics("发布时间:2031-05-20\n截至2030年底,全国共有认证机构900家。全国有效认证证书120万张;全年撤销认证证书1.2万张。\n"
                       "截至去年5月底,获证企业达到3万家。")
    assert stats["认证机构"].arg("date") == "2030-12-31"
    assert stats["有效认证证书"].arg("date") == "2030-12-31"
    assert stats["认证证书"].arg("date") == "2030"
    assert stats["获证企业"].arg("date") == "2030-05-31"
