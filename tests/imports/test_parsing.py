from datetime import date
from decimal import Decimal

import pytest

from imports.mapping import dispute_type_code, guess_mapping, outcome_code, source_code
from imports.parsing import ParseError, parse_amount, parse_date


@pytest.mark.parametrize(
    "value",
    [
        "2025-03-01",
        "2025/3/1",
        "2025.3.1",
        "2025年3月1日",
        "2025年03月01日",
        "２０２５年３月１日",
        "20250301",
        "2025-03-01 14:30",
        45717,
        45717.0,
        "45717",
        date(2025, 3, 1),
    ],
)
def test_dates_in_the_common_chinese_notations(value):
    assert parse_date(value) == date(2025, 3, 1)


@pytest.mark.parametrize("value", ["2025年13月1日", "2025-02-30", "去年三月", "3/1/2025", 12, "abc"])
def test_bad_dates_are_refused_with_a_chinese_message(value):
    with pytest.raises(ParseError) as err:
        parse_date(value)
    assert "日期" in str(err.value)


@pytest.mark.parametrize(
    "value,expected",
    [
        ("3000", "3000.00"),
        ("3,000.50元", "3000.50"),
        ("￥1200", "1200.00"),
        ("1.5万元", "15000.00"),
        ("2万", "20000.00"),
        (800, "800.00"),
        ("无", "0.00"),
    ],
)
def test_amounts(value, expected):
    assert parse_amount(value) == Decimal(expected)


@pytest.mark.parametrize("value", ["-5", "很多钱"])
def test_bad_amounts(value):
    with pytest.raises(ParseError):
        parse_amount(value)


@pytest.mark.parametrize(
    "label,code",
    [
        ("邻里纠纷", "NEIGHBOR"),
        ("婚姻家庭继承纠纷", "MARRIAGE_FAMILY"),
        ("环境保护纠纷", "ENV_POLLUTION"),
        ("消防纠纷", "OTHER"),
        ("村务管理纠纷", "OTHER"),
        ("拖欠农民工工资纠纷", "LABOR_MIGRANT_WAGES"),
        ("劳动争议纠纷", "LABOR_OTHER"),
        ("道路交通事故纠纷", "ROAD_TRAFFIC"),
        ("交通事故赔偿", "ROAD_TRAFFIC"),
        ("消费纠纷—旅游纠纷", "CONSUMER_TOURISM"),
        ("外星纠纷", None),
    ],
)
def test_dispute_type_labels_including_local_variants(label, code):
    assert dispute_type_code(label) == code


def test_sources_and_outcomes():
    assert source_code("当事人申请") == "ON_APPLICATION"
    assert source_code("调委会主动调解") == "PROACTIVE"
    assert source_code("派出所移送") == "REFERRED_POLICE"
    assert source_code("法院委托移送") == "REFERRED_COURT"
    assert outcome_code("调解成功") == "SUCCESS" and outcome_code("调解不成功") == "FAILURE"
    assert outcome_code("未知") is None


def test_mapping_is_guessed_from_chinese_headers():
    headers = [
        "序号",
        "调委会名称",
        "受理时间",
        "纠纷类别",
        "申请人姓名",
        "身份证号码",
        "被申请人",
        "简要案情",
        "调解结果",
        "协议金额（元）",
        "调解员",
    ]
    m = guess_mapping(headers)
    assert m == {
        "committee": 1,
        "accepted_on": 2,
        "dispute_type": 3,
        "applicant_name": 4,
        "applicant_id": 5,
        "respondent_name": 6,
        "facts": 7,
        "outcome": 8,
        "agreement_amount": 9,
        "mediator": 10,
    }
