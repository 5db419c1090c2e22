"""Challenge texts in Markdown: tables scroll in their own box, and a heading the page already shows is not repeated."""

from __future__ import annotations

from web.markdown import render_markdown

TABLE = "| File | Contents |\n|---|---|\n| `train.csv` | ids and labels |\n"


def test_a_table_is_wrapped_in_a_box_that_scrolls_sideways() -> None:
    html = str(render_markdown(TABLE))
    assert html.startswith('<div class="table-scroll"><table>') and html.endswith("</table></div>")
    assert "<th>File</th>" in html and "<code>train.csv</code>" in html


def test_a_first_heading_repeating_the_section_title_is_left_out() -> None:
    assert str(render_markdown("\n# Rules\n\n- be fair\n", "Rules")) == "<ul><li>be fair</li></ul>"
    assert str(render_markdown("# 规则\n\n- 公平\n", "规则")) == "<ul><li>公平</li></ul>"
    assert str(render_markdown("# rules\n\ntext", "Rules")) == "<p>text</p>"


def test_other_headings_stay() -> None:
    assert str(render_markdown("# Handwritten digits\n\ntext", "Description")).startswith("<h2>Handwritten digits</h2>")
    assert str(render_markdown("intro\n\n# Rules\n", "Rules")) == "<p>intro</p>\n<h2>Rules</h2>"
    assert str(render_markdown("# Rules\n")) == "<h2>Rules</h2>"
