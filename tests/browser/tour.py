"""A walk through the site in one browser context: every page visited is checked for layout faults and
photographed.

The checks, run on each page:
- nothing sticks out of the viewport horizontally (the page never scrolls sideways); if something does,
  the message names the elements where the overflow starts;
- no heading repeats the heading just before it ("Rules / Rules");
- no table cell breaks its text one character per line (what narrow columns do to Chinese);
- on a desktop screen, no box has to scroll sideways either (a table may scroll inside its box on a phone);
- the page is in the language asked for; a Chinese page's first heading is drawn with a Chinese font.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

# Elements that stick out of the viewport and whose parent does not, outside any box that scrolls or clips
# sideways: the places where a sideways scroll of the whole page begins.
OVERFLOW_JS = """
() => {
  const width = window.innerWidth;
  const scrollWidth = document.documentElement.scrollWidth;
  if (scrollWidth <= width) return null;
  const clips = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const x = getComputedStyle(a).overflowX;
      if (x === 'auto' || x === 'scroll' || x === 'hidden' || x === 'clip') return true;
    }
    return false;
  };
  const out = (el) => { const r = el.getBoundingClientRect(); return r.right > width + 1 || r.left < -1; };
  const name = (el) => {
    let text = el.tagName.toLowerCase();
    if (el.id) text += '#' + el.id;
    if (el.className && typeof el.className === 'string') text += '.' + el.className.trim().split(/\\s+/).join('.');
    const r = el.getBoundingClientRect();
    const words = (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
    return `${text} [${Math.round(r.left)}..${Math.round(r.right)}px] "${words}"`;
  };
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (out(el) && !(el.parentElement && out(el.parentElement)) && !clips(el)) found.push(name(el));
  }
  return {scrollWidth, width, elements: found.slice(0, 15)};
}
"""

DOUBLED_HEADINGS_JS = """
() => {
  const heads = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
    .filter((h) => h.getClientRects().length > 0)
    .map((h) => [h.tagName.toLowerCase(), h.textContent.trim().replace(/\\s+/g, ' ')]);
  const doubled = [];
  for (let i = 1; i < heads.length; i++) {
    if (heads[i][1].toLowerCase() === heads[i - 1][1].toLowerCase()) {
      doubled.push(`${heads[i - 1][0]} "${heads[i - 1][1]}" then ${heads[i][0]} "${heads[i][1]}"`);
    }
  }
  return doubled;
}
"""

# Text in table cells laid out with fewer than two characters a line.
CRAMPED_CELLS_JS = """
() => {
  const found = [];
  for (const cell of document.querySelectorAll('td, th')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const chars = node.textContent.replace(/\\s+/g, '').length;
      if (chars < 3) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
      if (lines > 1 && chars / lines < 2) found.push(`"${node.textContent.trim().slice(0, 30)}" on ${lines} lines`);
    }
  }
  return found.slice(0, 10);
}
"""

# Boxes that scroll sideways because their content is wider than they are.
SCROLLING_BOXES_JS = """
() => [...document.body.querySelectorAll('*')]
  .filter((el) => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX) && el.scrollWidth > el.clientWidth + 1)
  .map((el) => `${el.tagName.toLowerCase()}.${el.className} (${el.scrollWidth}px in ${el.clientWidth}px)`)
"""
DESKTOP_PX = 1000

CJK = "[\u3400-\u9fff]"


class Tour:
    """One visitor's walk: open pages, check each, and save a screenshot named by test, step and width."""

    def __init__(self, page: Page, language: str, folder: Path, prefix: str) -> None:
        self.page = page
        self.language = language
        self.folder = folder
        self.prefix = prefix
        self.steps = 0

    def visit(self, path: str, step: str) -> Page:
        """Open ``path`` on the site and check it."""
        response = self.page.goto(path)
        assert response is not None and response.ok, f"{path} answered {response.status if response else None}"
        self.check(step)
        return self.page

    def check(self, step: str) -> None:
        """Check the page now shown and save its screenshot."""
        self.page.wait_for_load_state("load")
        self.steps += 1
        shot = self.folder / f"{self.prefix}-{self.steps:02d}-{step}.png"
        self.page.screenshot(path=str(shot), full_page=True)
        where = f"{step} ({self.page.url}, screenshot {shot.name})"
        overflow = self.page.evaluate(OVERFLOW_JS)
        assert overflow is None, (
            f"{where}: the page is {overflow['scrollWidth']}px wide in a {overflow['width']}px viewport; "
            f"sticking out: {overflow['elements']}"
        )
        doubled = self.page.evaluate(DOUBLED_HEADINGS_JS)
        assert not doubled, f"{where}: doubled headings: {doubled}"
        cramped = self.page.evaluate(CRAMPED_CELLS_JS)
        assert not cramped, f"{where}: table text broken about one character per line: {cramped}"
        if (self.page.viewport_size or {"width": 0})["width"] >= DESKTOP_PX:
            scrolling = self.page.evaluate(SCROLLING_BOXES_JS)
            assert not scrolling, f"{where}: boxes that scroll sideways on a desktop screen: {scrolling}"
        lang = self.page.get_attribute("html", "lang")
        assert lang == self.language, f"{where}: the page is in {lang!r}, not {self.language!r}"
        if self.language.startswith("zh"):
            fonts = self.fonts_of("main h1")
            assert any("CJK" in f or f.endswith(" SC") for f in fonts), f"{where}: the h1 is drawn with {fonts}"
            assert self.page.locator("main").evaluate(f"(m) => new RegExp('{CJK}').test(m.innerText)"), (
                f"{where}: no Chinese text in the page"
            )

    def fonts_of(self, selector: str) -> list[str]:
        """Return the names of the fonts Chromium used to draw the first element matching ``selector``."""
        cdp = self.page.context.new_cdp_session(self.page)
        try:
            root = cdp.send("DOM.getDocument")["root"]["nodeId"]
            node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
            assert node, f"no {selector} on {self.page.url}"
            cdp.send("CSS.enable")
            used = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
            return [str(font["familyName"]) for font in used]
        finally:
            cdp.detach()


# Accessibility of the page shown: one h1, headings that never skip a level going down, every form field
# named by a label, and text colours with a contrast of at least 4.5:1 on their background (3:1 for large text).
ACCESSIBILITY_JS = """
() => {
  const problems = [];
  const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const h1s = [...document.querySelectorAll('h1')].filter(visible);
  if (h1s.length !== 1) problems.push(`${h1s.length} h1 elements`);
  let level = 0;
  for (const h of [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].filter(visible)) {
    const n = Number(h.tagName[1]);
    if (level && n > level + 1) problems.push(`h${level} then h${n} "${h.textContent.trim().slice(0, 30)}"`);
    level = n;
  }
  for (const f of document.querySelectorAll('input, select, textarea')) {
    if (['hidden', 'submit', 'button', 'reset', 'image'].includes(f.type) || !visible(f)) continue;
    const named = (f.labels && f.labels.length) || f.getAttribute('aria-label')
      || f.getAttribute('aria-labelledby') || f.title;
    if (!named) problems.push(`unlabelled ${f.tagName.toLowerCase()}[name=${f.name}]`);
  }
  const rgb = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const c = [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const background = (el) => {
    for (let a = el; a; a = a.parentElement) {
      const c = rgb(getComputedStyle(a).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const seen = new Set();
  for (const el of document.body.querySelectorAll('*')) {
    if (!visible(el) || el.closest('svg')) continue;
    const text = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!text) continue;
    const style = getComputedStyle(el);
    const fg = rgb(style.color).slice(0, 3), bg = background(el);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700;
    const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    const key = `${style.color} on ${bg}`;
    if (ratio < needed && !seen.has(key)) {
      seen.add(key);
      const words = el.textContent.trim().slice(0, 30);
      problems.push(`contrast ${ratio.toFixed(2)} < ${needed}: ${el.tagName.toLowerCase()} "${words}" (${key})`);
    }
  }
  return problems;
}
"""


def check_accessible(page: Page, where: str) -> None:
    """Assert the page has one h1, no skipped heading level, a label on every field and readable text colours."""
    problems = page.evaluate(ACCESSIBILITY_JS)
    assert not problems, f"{where}: accessibility problems: {problems}"
