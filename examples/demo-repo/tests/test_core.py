import unittest

from pagination import page_count, page_slice


class PageSliceTest(unittest.TestCase):
    def test_first_page(self):
        self.assertEqual(page_slice(list(range(7)), 1, 3), [0, 1, 2])

    def test_last_page(self):
        self.assertEqual(page_slice(list(range(7)), 3, 3), [6])

    def test_page_count_partial(self):
        self.assertEqual(page_count(7, 3), 3)


if __name__ == "__main__":
    unittest.main()
