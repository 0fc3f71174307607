"""Streamlit's own texts, in the page's language.

Some texts Streamlit draws itself, in English whatever the page's language: a select box's
"Choose an option" placeholder (a widget's `placeholder=` replaces it: `choose()`); the
"No results" (or "You can only select up to …") line of an empty drop-down list, and the
accessible names of its buttons ("Help for …", "Open", "Clear all", …), which no argument
reaches. `localiser()` is a small script, run in the page, that puts the catalogue's words
in their place as Streamlit draws them (by the ARIA attributes the widgets carry: if a
Streamlit release changes them, its own English simply comes back).
"""
from __future__ import annotations

import json

from app.ui.messages import t

# Streamlit's accessible names -> the catalogue's keys
ARIA_NAMES = {"Help": "aria.help", "Open": "aria.open", "Close": "aria.close", "Clear all": "aria.clear_all",
              "Dismiss": "aria.dismiss", "Remove": "aria.remove", "Multiselect options": "aria.options",
              "Selectbox options": "aria.options", "Copy to clipboard": "aria.copy", "Sidebar": "aria.sidebar",
              "Collapse sidebar": "aria.collapse_sidebar", "Expand sidebar": "aria.expand_sidebar",
              "App pages": "aria.pages", "Link to heading": "aria.heading_link", "Search": "aria.search",
              "Fullscreen": "aria.fullscreen", "Close fullscreen": "aria.close_fullscreen",
              "Download as CSV": "aria.download_csv", "Show/hide columns": "aria.columns",
              "Selected values": "aria.selected", "Send message": "aria.send",
              "file upload": "aria.file_upload", "Main menu": "aria.main_menu",
              "Download as PNG": "words.download_png", "Download as SVG": "words.download_svg",
              "Copy Vega-Lite spec": "words.copy_spec"}
# Streamlit's own words drawn as text (a chart's menu, a form's hint) -> the catalogue's keys
WORDS = {"Download as PNG": "words.download_png", "Download as SVG": "words.download_svg",
         "Copy Vega-Lite spec": "words.copy_spec", "Press Enter to submit form": "words.enter_submits",
         "Press Enter to apply": "words.enter_applies"}
# Streamlit's accessible names that name something after a fixed start -> the catalogue's keys ({label})
ARIA_PREFIXES = {"Help for ": "aria.help_for", "Remove ": "aria.remove_one"}

_SCRIPT = """<script>
(() => {
  const w = window;
  w.yizhiTexts = %s;
  if (w.yizhiTextsObserver) { w.yizhiTextsApply(); return; }
  let queued = false;
  const apply = () => {
    queued = false;
    const texts = w.yizhiTexts;
    // Streamlit's own English is kept beside what replaced it, so a switch of language
    // (the catalogue's words change, the elements stay) says it in the new one
    const keys = {'title': 'Title', 'aria-label': 'Aria'};  // dataset names cannot hold a '-'
    const say = (el, attribute, own) => {  // own: Streamlit's words, as it last set them
      const said = texts.aria[own] || (() => {
        const prefix = Object.keys(texts.prefixes).find(start => own.startsWith(start));
        return prefix ? texts.prefixes[prefix].replace('{label}', own.slice(prefix.length)) : null;
      })();
      if (!said) return;
      el.dataset['yizhiOwn' + keys[attribute]] = own;
      el.dataset['yizhiSaid' + keys[attribute]] = said;
      if (el.getAttribute(attribute) !== said) el.setAttribute(attribute, said);
    };
    for (const attribute of ['title', 'aria-label']) {
      document.querySelectorAll(`[${attribute}]`).forEach(el => {
        const now = el.getAttribute(attribute);
        const ours = now === el.dataset['yizhiSaid' + keys[attribute]];
        say(el, attribute, ours ? el.dataset['yizhiOwn' + keys[attribute]] : now);
      });
    }
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const said = texts.words[node.nodeValue.trim()];
      if (said && node.nodeValue !== said) node.nodeValue = said;
    }
    const rules = Object.entries(w.yizhiTextRules || {});
    rules.push(['[role="listbox"][data-empty="true"] [role="option"] > span', texts.empty]);
    for (const [selector, text] of rules) {
      document.querySelectorAll(selector).forEach(el => { if (el.textContent !== text) el.textContent = text; });
    }
    document.querySelectorAll('span[role="img"][translate="no"]:not([aria-hidden])').forEach(el => {
      el.setAttribute('aria-hidden', 'true');  // an icon beside its words: not read out as "cancel icon"
    });
  };
  w.yizhiTextsApply = apply;
  w.yizhiTextsObserver = new MutationObserver(() => {
    if (!queued) { queued = true; requestAnimationFrame(apply); }
  });
  w.yizhiTextsObserver.observe(document.body, {subtree: true, childList: true, characterData: true,
                                               attributes: true, attributeFilter: ['aria-label', 'title']});
  apply();
})();
</script>"""


def css_content(text: str) -> str:
    """`text` as a CSS string literal (quotes, backslashes and angle brackets escaped)."""
    return '"' + "".join(ch if ch.isalnum() or ch in " ·、，,.()（）-" else f"\\{ord(ch):x} " for ch in text) + '"'


def choose() -> str:
    """The placeholder of a select box (shown while it is open and typed in)."""
    return t("app.choose")


def text_rules(rules: dict[str, str]) -> str:
    """A script (HTML) that has the localiser set the text of the elements each CSS selector
    of `rules` matches (a page's own Streamlit texts, such as the upload widget's)."""
    texts = json.dumps(rules, ensure_ascii=False).replace("</", "<\\/")
    return ("<script>(() => { window.yizhiTextRules = Object.assign(window.yizhiTextRules || {}, "
            f"{texts}); if (window.yizhiTextsApply) window.yizhiTextsApply(); }})();</script>")


def localiser() -> str:
    """The script (HTML) that swaps Streamlit's own English for the catalogue's words."""
    texts = {"aria": {name: t(key) for name, key in ARIA_NAMES.items()},
             "prefixes": {start: t(key) for start, key in ARIA_PREFIXES.items()},
             "words": {words: t(key) for words, key in WORDS.items()}, "empty": t("app.no_options")}
    return _SCRIPT % json.dumps(texts, ensure_ascii=False).replace("</", "<\\/")


__all__ = ["ARIA_NAMES", "ARIA_PREFIXES", "WORDS", "choose", "css_content", "localiser", "text_rules"]
