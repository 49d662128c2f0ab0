"""Forms check only the shape of the input (present, a date, a number). Every business rule
(e-mail format, lengths, reading ranges, ...) is the procedure's: its refusal is shown next to
the field it names (see views.ProcedureFormMixin)."""
import datetime

from django import forms

READING_SOURCES = [("field", "Field visit"), ("customer", "Customer read"),
                   ("smart", "Smart meter")]


class CustomerForm(forms.Form):
    full_name = forms.CharField(label="Full name", strip=True,
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.CharField(label="E-mail", required=False, strip=True,
                            widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = forms.CharField(label="Phone", required=False, strip=True,
                            widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}))
    address = forms.CharField(label="Postal address", required=False, strip=True,
                              widget=forms.Textarea(attrs={"rows": 3,
                                                           "autocomplete": "street-address"}))

    def procedure_arguments(self):
        """The cleaned values as procedure arguments ('' means none: NULL)."""
        return {k: (v if v != "" else None) for k, v in self.cleaned_data.items()}


class ReadingForm(forms.Form):
    serial_no = forms.CharField(label="Meter serial number", strip=True,
                                widget=forms.TextInput(attrs={"autocomplete": "off",
                                                              "spellcheck": "false"}))
    read_on = forms.DateField(label="Date read", widget=forms.DateInput(attrs={"type": "date"}),
                              initial=datetime.date.today)
    value = forms.DecimalField(label="Register value (kWh on the dial)", max_digits=12,
                               decimal_places=2,
                               widget=forms.NumberInput(attrs={"step": "0.01",
                                                               "inputmode": "decimal"}))
    source = forms.ChoiceField(label="Source", choices=READING_SOURCES, initial="field")

    # record_reading's parameters are named p_serial_no, p_read_on, p_value, p_source
    def procedure_arguments(self):
        return dict(self.cleaned_data)


class SearchForm(forms.Form):
    q = forms.CharField(label="Name, customer no., account no., e-mail or meter serial",
                        required=False, strip=True,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}))
