// bklog UI entry: token, router (state in the URL hash, so back/forward and shared links work), navigation.
import { h, api, token, setToken, clearToken, ApiError, toast, routeParams } from './core.js';
import { searchScreen } from './search.js';
import { manageScreens } from './manage.js';

const SCREENS = [
  ['search', 'Search', searchScreen],
  ...manageScreens,
];

function nav(current) {
  const el = document.getElementById('nav');
  el.replaceChildren(...SCREENS.map(([id, label]) => h('a', {
    href: '#/' + id, 'aria-current': id === current ? 'page' : null }, label)));
  const out = document.getElementById('logout');
  out.hidden = !token();
  out.onclick = () => { clearToken(); location.hash = '#/search'; render(); };
}

function login(main, message) {
  nav(null);
  const input = h('input', { id: 'token', type: 'password', autocomplete: 'off', required: true, size: 40 });
  const err = h('div', { role: 'alert' });
  if (message) err.replaceChildren(h('p', { class: 'error' }, message));
  const form = h('form', { class: 'card', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title' }, 'Sign in'),
    h('p', { class: 'muted' }, 'Paste an API token (a new server writes an admin token to {data_dir}/admin-token). ' +
      'It is kept in this tab only (sessionStorage) and sent as Authorization: Bearer.'),
    h('div', { class: 'row' }, h('label', {}, 'API token', input),
      h('button', { class: 'primary', type: 'submit' }, 'Sign in')), err);
  form.onsubmit = async (e) => {
    e.preventDefault();
    setToken(input.value.trim());
    try {
      await api('GET', '/api/v1/index_sets');
      render();
    } catch (ex) {
      clearToken();
      err.replaceChildren(h('p', { class: 'error' }, ex.message));
    }
  };
  main.replaceChildren(form);
  input.focus();
}

let current = null;
let generation = 0;
export async function render() {
  if (current && current.leave) current.leave();
  current = null;
  // each render draws into its own box: a screen still loading when the user moved on draws into a detached box
  const gen = ++generation;
  const main = document.createElement('div');
  document.getElementById('main').replaceChildren(main);
  if (!token()) return login(main);
  const { screen, params } = routeParams();
  const entry = SCREENS.find(([id]) => id === screen) || SCREENS[0];
  nav(entry[0]);
  document.title = entry[1] + ' · bklog';
  try {
    const shown = await entry[2](main, params) || null;
    if (gen === generation) current = shown;
    else if (shown && shown.leave) shown.leave();
  } catch (ex) {
    if (gen !== generation) return;
    if (ex instanceof ApiError && ex.status === 401) { clearToken(); return login(main, ex.message); }
    if (ex instanceof ApiError && ex.status === 403) return denied(main, ex);
    main.replaceChildren(h('p', { class: 'error', role: 'alert' }, ex.message));
  }
}

/** The 403 screen: the API refused this token the role an admin screen needs. */
export function denied(main, ex) {
  main.replaceChildren(h('section', { class: 'denied', 'aria-labelledby': 'denied-title' },
    h('div', { class: 'code', 'aria-hidden': 'true' }, '403'),
    h('h1', { id: 'denied-title' }, 'Forbidden'),
    h('p', {}, 'This screen needs an admin token. The server said:'),
    h('p', { class: 'error', role: 'alert' }, ex.message),
    h('p', {}, h('a', { href: '#/search' }, 'Back to search'))));
}

// the skip link moves the focus without touching the hash (the hash is the router's)
document.querySelector('.skip').addEventListener('click', (e) => {
  e.preventDefault();
  document.getElementById('main').focus();
});

window.addEventListener('hashchange', () => {
  if (current && current.onRoute && routeParams().screen === current.screen) {
    current.onRoute(routeParams().params);
  } else {
    render();
  }
});
window.addEventListener('unhandledrejection', (e) => toast(String(e.reason && e.reason.message || e.reason)));
render();
