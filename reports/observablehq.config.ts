/**
 * Observable Framework config for the Wuwei report site. `reports/build.ts` runs the build with this
 * folder as the working directory and sets WUWEI_SITE_OUT to a temporary folder it later swaps in.
 */
export default {
  title: 'Wuwei',
  root: 'src',
  // Framework's build has no --output flag: the caller picks the folder through the environment.
  output: process.env['WUWEI_SITE_OUT'] ?? 'dist',
  pages: [
    { name: 'Overview', path: '/' },
    { name: 'Forecast', path: '/forecast' },
    { name: 'Pipeline and cycle length', path: '/pipeline' },
    { name: 'Relationship coverage (ECM)', path: '/relationships' },
    { name: 'Deals', path: '/deals' },
    { name: 'Next moves (MCI)', path: '/moves' },
    { name: 'Key accounts (ESP+)', path: '/accounts' },
    { name: 'Model quality', path: '/model' },
    { name: 'Data quality', path: '/data-quality' },
  ],
  // The default adds a Google Fonts stylesheet: the site must load with no request leaving the host.
  globalStylesheets: [],
  // Our stylesheet imports Framework's default and the air theme (see src/wuwei.css).
  style: 'wuwei.css',
  // No favicon request: the browser check counts every request, and a 404 is a console error.
  head: '<link rel="icon" href="data:,">',
  // Links keep their `.html` (./forecast.html, ./index.html): the site works from any static file
  // server or the file system, which do not map /forecast to forecast.html (issue 17).
  preserveExtension: true,
  preserveIndex: true,
  search: false,
  pager: false,
  toc: false,
  footer: 'Wuwei: win probabilities measured against the CRM stage baseline. Built from the nightly run.',
};
