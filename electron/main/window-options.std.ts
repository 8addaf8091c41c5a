// The Electron window's security settings and navigation policy as plain data and
// pure functions, so they are tested without Electron.

export interface WindowOptionsInput {
  preloadPath: string;
  /** Background while the renderer loads, matching the theme to avoid a white flash. */
  dark: boolean;
}

/** BrowserWindow constructor options (structurally; the shell passes them through). */
export function mainWindowOptions(input: WindowOptionsInput) {
  return {
    width: 1280,
    height: 800,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'LightSeed',
    backgroundColor: input.dark ? '#0f1115' : '#f7f7f5',
    autoHideMenuBar: true,
    webPreferences: {
      preload: input.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      navigateOnDragDrop: false,
    },
  } as const;
}

/** True when `url` is the app's own page: the built file or the dev server's origin. */
export function isAppUrl(url: string, appOrigin: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (appOrigin === 'file://') return parsed.protocol === 'file:';
  return parsed.origin === appOrigin;
}

/** Every navigation away from the app and every new window is refused. */
export function allowNavigation(url: string, appOrigin: string): boolean {
  return isAppUrl(url, appOrigin);
}

/** Only microphone/line-in capture for the app's own page (the audio entropy source). */
export function allowPermission(permission: string, requestingUrl: string, appOrigin: string, mediaTypes: readonly string[] = []): boolean {
  if (!isAppUrl(requestingUrl, appOrigin)) return false;
  return permission === 'media' && mediaTypes.length > 0 && mediaTypes.every((type) => type === 'audio');
}
