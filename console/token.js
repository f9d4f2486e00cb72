// The token prompt: one <dialog> shared by every request that got a 401, so ten panels asking at once see one
// prompt and all resume with its answer.
let pending = null;

export function askToken(why) {
  if (pending) return pending;
  const dialog = document.getElementById('token-dialog');
  const input = document.getElementById('token-input');
  document.getElementById('token-why').textContent = why;
  input.value = '';
  pending = new Promise((resolve) => {
    const done = (value) => {
      dialog.removeEventListener('close', onClose);
      pending = null;
      resolve(value);
    };
    const onClose = () => done(dialog.returnValue === 'ok' && input.value.trim() ? input.value.trim() : null);
    dialog.addEventListener('close', onClose);
  });
  dialog.returnValue = '';
  dialog.showModal();
  input.focus();
  return pending;
}

export function initTokenDialog({ getToken, setToken }) {
  const dialog = document.getElementById('token-dialog');
  document.getElementById('token-cancel').addEventListener('click', () => dialog.close(''));
  document.getElementById('token-forget').addEventListener('click', () => { setToken(''); dialog.close(''); });
  document.getElementById('token-form').addEventListener('submit', () => { dialog.returnValue = 'ok'; });
  document.getElementById('token-button').addEventListener('click', async () => {
    const t = await askToken(getToken() ? 'A token is set for this tab. Enter another, or Forget it.' : 'Enter the server\'s --admin-token.');
    if (t) { setToken(t); location.reload(); }
  });
}
