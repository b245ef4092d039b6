"""The script "Pick element" puts into the page: it outlines the element under the mouse and,
on the user's click (which the page never sees), computes candidate locators for it.

Candidates are plain `Locator` dicts — role and accessible name (an explicit `role`
attribute or the tag's implicit role), label, placeholder, test id, visible text, alt
text, title and a short unique CSS selector — that the picker then checks with Playwright.
The clicked element keeps the attribute `MARK` until they are checked.
"""

from __future__ import annotations

__all__ = ["MARK", "OVERLAY_JS"]

MARK = "data-loomwork-picked"

OVERLAY_JS = r"""(roles) => {
  if (window.__loomworkPick) { window.__loomworkPick.arm(); return; }
  const MARK = 'data-loomwork-picked';
  const clean = (s) => (s || '').replace(/\s+/g, ' ').trim();
  const short = (s) => {
    s = clean(s);
    if (s.length <= 80) return s;
    const cut = s.slice(0, 60), space = cut.lastIndexOf(' ');
    return space > 20 ? cut.slice(0, space) : cut;
  };
  const INPUT = {button: 'button', submit: 'button', reset: 'button', image: 'button',
    checkbox: 'checkbox', radio: 'radio', search: 'searchbox', text: 'textbox', email: 'textbox',
    tel: 'textbox', url: 'textbox', password: 'textbox', number: 'spinbutton', range: 'slider',
    '': 'textbox'};
  const TAGS = {button: 'button', textarea: 'textbox', td: 'cell', tr: 'row', table: 'table',
    nav: 'navigation', dialog: 'dialog', option: 'option', summary: 'button'};
  const roleOf = (el) => {
    const explicit = (el.getAttribute('role') || '').split(' ')[0];
    if (explicit) return explicit;
    const tag = el.localName;
    if (tag === 'input') return INPUT[(el.getAttribute('type') || '').toLowerCase()] || null;
    if (/^h[1-6]$/.test(tag)) return 'heading';
    if (tag === 'a' || tag === 'area') return el.hasAttribute('href') ? 'link' : null;
    if (tag === 'select') return el.multiple || el.size > 1 ? 'listbox' : 'combobox';
    if (tag === 'img') return el.getAttribute('alt') === '' ? null : 'img';
    return TAGS[tag] || null;
  };
  const textOf = (el) => clean(el.innerText || el.textContent);
  const byIds = (ids) => ids.split(/\s+/).map((id) => document.getElementById(id))
    .filter(Boolean).map(textOf).join(' ');
  const labelOf = (el) => {
    if (el.getAttribute('aria-labelledby')) return clean(byIds(el.getAttribute('aria-labelledby')));
    if (el.getAttribute('aria-label')) return clean(el.getAttribute('aria-label'));
    if (el.labels && el.labels.length) return textOf(el.labels[0]);
    return '';
  };
  const NO_TEXT_NAME = ['textbox', 'searchbox', 'combobox', 'listbox', 'table', 'navigation', 'dialog'];
  const nameOf = (el, role) => {
    const label = labelOf(el);
    if (label) return label;
    const tag = el.localName, type = (el.getAttribute('type') || '').toLowerCase();
    if (tag === 'input' && ['button', 'submit', 'reset'].includes(type)) return clean(el.value);
    if ((tag === 'input' && type === 'image') || tag === 'img') return clean(el.getAttribute('alt'));
    if (!NO_TEXT_NAME.includes(role) && textOf(el)) return textOf(el);
    return clean(el.getAttribute('title') || el.getAttribute('placeholder'));
  };
  const unique = (sel) => {
    try { return document.querySelectorAll(sel).length === 1; } catch (e) { return false; }
  };
  const byId = (node) => (node.id && unique('#' + CSS.escape(node.id))) ? '#' + CSS.escape(node.id) : '';
  const step = (node) => {
    let part = node.localName;
    const name = node.getAttribute('name');
    if (name && ['input', 'select', 'textarea', 'button'].includes(part)) {
      part += '[name=' + JSON.stringify(name) + ']';
    }
    const parent = node.parentElement;
    if (parent && parent.querySelectorAll(':scope > ' + part).length > 1) {
      const same = [...parent.children].filter((c) => c.localName === node.localName);
      part += ':nth-of-type(' + (same.indexOf(node) + 1) + ')';
    }
    return part;
  };
  const cssPath = (el) => {
    if (byId(el)) return byId(el);
    const parts = [];
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const id = node === el ? '' : byId(node);
      parts.unshift(id || step(node));
      const sel = parts.join(' > ');
      if (id || unique(sel)) return sel;
    }
    return parts.join(' > ');
  };
  const POINTABLE = 'button, a[href], input, select, textarea, summary, option, [role], label';
  const target = (el) => (el.closest ? el.closest(POINTABLE) : null) || el;
  const FORM = ['input', 'select', 'textarea'];
  const candidates = (el) => {
    const out = [], role = roleOf(el);
    const add = (c) => { if (c.value) out.push(c); };
    if (role && roles.includes(role)) add({by: 'role', value: role, name: short(nameOf(el, role))});
    if (FORM.includes(el.localName)) add({by: 'label', value: short(labelOf(el))});
    add({by: 'placeholder', value: clean(el.getAttribute('placeholder'))});
    add({by: 'test_id', value: el.getAttribute('data-testid') || ''});
    const text = textOf(el);
    if (text.length <= 80 && !FORM.includes(el.localName)) add({by: 'text', value: text});
    if (el.localName === 'img') add({by: 'alt_text', value: clean(el.getAttribute('alt'))});
    add({by: 'title', value: clean(el.getAttribute('title'))});
    add({by: 'css', value: cssPath(el)});
    return out;
  };
  const box = document.createElement('div');
  box.style.cssText = 'position:fixed;pointer-events:none;z-index:2147483647;display:none;' +
    'border:2px solid #2563eb;background:rgba(37,99,235,.12);border-radius:3px;';
  let armed = false;
  const show = (el) => {
    const r = el.getBoundingClientRect();
    Object.assign(box.style, {display: 'block', left: r.left - 2 + 'px', top: r.top - 2 + 'px',
      width: r.width + 'px', height: r.height + 'px'});
  };
  const swallow = (e) => {
    if (!armed) return;
    e.preventDefault(); e.stopPropagation(); e.stopImmediatePropagation();
  };
  const api = {
    arm() {
      armed = true;
      if (!box.isConnected) document.documentElement.appendChild(box);
      document.documentElement.style.cursor = 'crosshair';
    },
    disarm() {
      armed = false; box.remove();
      document.documentElement.style.cursor = '';
    },
    cssPath,
  };
  const click = (e) => {
    if (!armed) return;
    swallow(e);
    const el = target(e.composedPath()[0]);
    api.disarm();
    document.querySelectorAll('[' + MARK + ']').forEach((m) => m.removeAttribute(MARK));
    const found = candidates(el);
    el.setAttribute(MARK, '');
    window.__loomworkPicked({candidates: found, tag: el.localName});
  };
  const key = (e) => {
    if (!armed || e.key !== 'Escape') return;
    swallow(e); api.disarm();
    window.__loomworkPicked({cancelled: true});
  };
  for (const type of ['pointerdown', 'mousedown', 'pointerup', 'mouseup', 'dblclick', 'auxclick',
    'contextmenu']) window.addEventListener(type, swallow, true);
  window.addEventListener('click', click, true);
  window.addEventListener('mousemove', (e) => { if (armed) show(target(e.composedPath()[0])); }, true);
  window.addEventListener('keydown', key, true);
  window.__loomworkPick = api;
  api.arm();
}"""
