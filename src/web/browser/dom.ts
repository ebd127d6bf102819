/** Small DOM helpers for the page (no framework: the page is a handful of elements). */

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`page element #${id} is missing`);
  return element as T;
}

export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const created = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'class') created.className = value;
    else created.setAttribute(name, value);
  }
  created.append(...children);
  return created;
}

export function show(target: HTMLElement, visible: boolean): void {
  target.hidden = !visible;
}
