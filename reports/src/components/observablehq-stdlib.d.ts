/** The part of Framework's standard library the components import (Framework resolves it; tsc needs its shape). */
declare module 'observablehq:stdlib' {
  export function FileAttachment(name: string): { url(): Promise<string>; name: string };
}
