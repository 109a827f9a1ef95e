from include.devtools import readme


def test_every_section_file_is_part_of_the_readme():
    assert readme.unlisted_sections() == []


def test_readme_is_assembled_from_the_current_sections():
    assert readme.README.read_text() == readme.assemble(), (
        "README.md is stale: run `python -m include.devtools.readme` after editing docs/readme/*.md")
