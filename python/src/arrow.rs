//! Arrow in and out through the Arrow C Data Interface: a string array
//! arrives as the two PyCapsules of `__arrow_c_array__` (pyarrow, Polars
//! and DuckDB all give them), is scanned in place on every core, and the
//! findings leave as a struct array behind an object that has
//! `__arrow_c_array__` itself, which `pyarrow.record_batch` takes without a
//! copy.

use std::ffi::CString;
use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Int64Builder, ListBuilder, StringBuilder, UInt64Builder,
};
use arrow_array::cast::AsArray;
use arrow_array::ffi::{FFI_ArrowArray, FFI_ArrowSchema, from_ffi, to_ffi};
use arrow_array::{Array, ArrayRef, StructArray, make_array};
use arrow_schema::{DataType, Field, Fields};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyCapsuleMethods, PyTuple};
use rayon::prelude::*;
use vblint_core::located;
use vblint_core::scan::Scanner;
use vblint_core::text::Normalized;

use crate::{Located, scan_located};

/// Findings as an Arrow struct array, handed to Python through
/// `__arrow_c_array__`.
#[pyclass(module = "vblint._vblint", frozen)]
pub(crate) struct Batch {
    array: StructArray,
}

#[pymethods]
impl Batch {
    /// The Arrow PyCapsule protocol: `(schema capsule, array capsule)`.
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_array__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        // The schema is fixed; a consumer asking for another casts itself.
        let _ = requested_schema;
        let (array, schema) = to_ffi(&self.array.to_data())
            .map_err(|e| PyValueError::new_err(format!("cannot export findings: {e}")))?;
        let schema = PyCapsule::new(py, schema, Some(CString::from(c"arrow_schema")))?;
        let array = PyCapsule::new(py, array, Some(CString::from(c"arrow_array")))?;
        PyTuple::new(py, [schema.into_any(), array.into_any()])
    }

    fn __len__(&self) -> usize {
        self.array.len()
    }
}

/// Imports an array from its two capsules (the array is moved out of its
/// capsule, as the protocol requires).
fn import(schema: &Bound<'_, PyAny>, array: &Bound<'_, PyAny>) -> PyResult<ArrayRef> {
    let schema = schema.cast::<PyCapsule>().map_err(|_| {
        PyTypeError::new_err("expected the schema PyCapsule of `__arrow_c_array__`")
    })?;
    let array = array
        .cast::<PyCapsule>()
        .map_err(|_| PyTypeError::new_err("expected the array PyCapsule of `__arrow_c_array__`"))?;
    let schema_ptr = schema.pointer_checked(Some(c"arrow_schema"))?;
    let array_ptr = array.pointer_checked(Some(c"arrow_array"))?;
    // SAFETY: the capsules are named as the Arrow PyCapsule protocol
    // names them, so they point to an `ArrowSchema` and an `ArrowArray`;
    // the array is moved out (its release callback now belongs to us) and
    // the schema is only borrowed.
    let data = unsafe {
        let array = FFI_ArrowArray::from_raw(array_ptr.as_ptr().cast());
        let schema = &*(schema_ptr.as_ptr() as *const FFI_ArrowSchema);
        from_ffi(array, schema)
    }
    .map_err(|e| PyValueError::new_err(format!("cannot read the Arrow array: {e}")))?;
    Ok(make_array(data))
}

/// Scans a string array's rows on every core.
pub(crate) fn check_chunk(
    py: Python<'_>,
    scanner: &Scanner,
    schema: &Bound<'_, PyAny>,
    array: &Bound<'_, PyAny>,
    first_row: u64,
) -> PyResult<Batch> {
    let array = import(schema, array)?;
    let found = py.detach(|| -> Result<_, String> {
        Ok(match array.data_type() {
            DataType::Utf8 => scan_rows(scanner, array.as_string::<i32>().iter()),
            DataType::LargeUtf8 => scan_rows(scanner, array.as_string::<i64>().iter()),
            DataType::Utf8View => scan_rows(scanner, array.as_string_view().iter()),
            other => return Err(format!("{other}")),
        })
    });
    let found = found.map_err(|t| {
        PyTypeError::new_err(format!(
            "the text column is of type {t}, not text: cast it to string first \
             (for example `table.column(\"notes\").cast(\"string\")`)"
        ))
    })?;
    Ok(Batch {
        array: findings_array(scanner, &found, first_row),
    })
}

/// The findings of each row (none for a null), scanned in parallel.
fn scan_rows<'a, I>(scanner: &Scanner, rows: I) -> Vec<(Option<&'a str>, Vec<Located>)>
where
    I: Iterator<Item = Option<&'a str>>,
{
    let rows: Vec<Option<&str>> = rows.collect();
    rows.into_par_iter()
        .map_init(
            || (Normalized::default(), Vec::new()),
            |(norm, buf), text| {
                let found = text.map_or_else(Vec::new, |t| scan_located(scanner, t, norm, buf));
                (text, found)
            },
        )
        .collect()
}

/// The schema of a findings batch: `row` and the finding fields of the
/// JSON output that belong to a finding (not `type`, `path`, `record`).
pub(crate) fn fields() -> Fields {
    let int = |name: &str| Field::new(name, DataType::Int64, false);
    let text = |name: &str| Field::new(name, DataType::Utf8, false);
    Fields::from(vec![
        Field::new("row", DataType::UInt64, false),
        text("rule"),
        text("category"),
        text("severity"),
        int("line"),
        int("column"),
        int("start"),
        int("end"),
        text("text"),
        text("message"),
        Field::new(
            "alternatives",
            DataType::List(Arc::new(Field::new("item", DataType::Utf8, false))),
            false,
        ),
        Field::new("quoted", DataType::Boolean, false),
    ])
}

fn findings_array(
    scanner: &Scanner,
    found: &[(Option<&str>, Vec<Located>)],
    first_row: u64,
) -> StructArray {
    let lexicon = scanner.lexicon();
    let messages: Vec<[String; 2]> = lexicon
        .entries
        .iter()
        .map(|e| [located::message(e, false), located::message(e, true)])
        .collect();
    let n: usize = found.iter().map(|(_, f)| f.len()).sum();
    let mut row = UInt64Builder::with_capacity(n);
    let mut rule = StringBuilder::with_capacity(n, n * 16);
    let mut category = StringBuilder::with_capacity(n, n * 12);
    let mut severity = StringBuilder::with_capacity(n, n * 7);
    let mut line = Int64Builder::with_capacity(n);
    let mut column = Int64Builder::with_capacity(n);
    let mut start = Int64Builder::with_capacity(n);
    let mut end = Int64Builder::with_capacity(n);
    let mut text = StringBuilder::with_capacity(n, n * 16);
    let mut message = StringBuilder::with_capacity(n, n * 80);
    let mut alternatives = ListBuilder::with_capacity(StringBuilder::new(), n)
        .with_field(Field::new("item", DataType::Utf8, false));
    let mut quoted = BooleanBuilder::with_capacity(n);
    for (i, (source, findings)) in found.iter().enumerate() {
        let source = source.unwrap_or_default();
        for l in findings {
            let f = &l.finding;
            let e = lexicon.get(f.entry);
            row.append_value(first_row + i as u64);
            rule.append_value(&e.id);
            category.append_value(e.category.as_str());
            severity.append_value(f.severity.as_str());
            line.append_value(l.line as i64);
            column.append_value(l.column as i64);
            start.append_value(f.span.start as i64);
            end.append_value(f.span.end as i64);
            text.append_value(&source[f.span.clone()]);
            message.append_value(&messages[f.entry.0 as usize][usize::from(f.quoted)]);
            for a in &e.alternatives {
                alternatives.values().append_value(a);
            }
            alternatives.append(true);
            quoted.append_value(f.quoted);
        }
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(row.finish()),
        Arc::new(rule.finish()),
        Arc::new(category.finish()),
        Arc::new(severity.finish()),
        Arc::new(line.finish()),
        Arc::new(column.finish()),
        Arc::new(start.finish()),
        Arc::new(end.finish()),
        Arc::new(text.finish()),
        Arc::new(message.finish()),
        Arc::new(alternatives.finish()),
        Arc::new(quoted.finish()),
    ];
    StructArray::new(fields(), columns, None)
}
