"""The demo city and its seeding (`manage.py seed_demo`), and the dataset builders the tests share (demo.scenarios).

Development and tests only: installed only when TIAOJIE_ENV is development or test, and never imported by the product
(tests/test_one_door.py checks both). Everything here builds its data through cases.actions, like a user would."""
