// exceljs's streaming workbook reader on its own (half the size of the whole library in a Lambda bundle: no writer,
// no CSV, no jszip): the module xlsx.ts reads with, typed as the library types it.
declare module 'exceljs/lib/stream/xlsx/workbook-reader.js' {
  import type ExcelJS from 'exceljs';

  const WorkbookReader: typeof ExcelJS.stream.xlsx.WorkbookReader;
  export default WorkbookReader;
}
