from datetime import date

from include import demo_company


def test_closed_books_date_is_the_end_of_the_month_two_months_back():
    assert demo_company.default_closed_books_date(date(2026, 11, 22)) == date(2026, 9, 30)
    assert demo_company.default_closed_books_date(date(2026, 1, 5)) == date(2025, 11, 30)
    assert demo_company.default_closed_books_date(date(2024, 4, 1)) == date(2024, 2, 29)


def test_generated_master_ids_are_unique_and_stable():
    customers = [demo_company.customer(n)["customer_id"] for n in range(1000)]
    assert len(set(customers)) == 1000
    assert demo_company.customer(0) == demo_company.customer(0)
    assert demo_company.vendor(5)["vendor_id"] == "V-2006"
    assert demo_company.item(74)["item_id"] == "I-3075"


def test_accounts_and_terms_have_unique_keys():
    assert len({a.accountno for a in demo_company.ACCOUNTS}) == len(demo_company.ACCOUNTS)
    assert len({t.name for t in demo_company.TERMS}) == len(demo_company.TERMS)
